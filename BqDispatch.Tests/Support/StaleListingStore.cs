using System.Runtime.CompilerServices;
using BqDispatch.Core.Storage;

namespace BqDispatch.Tests.Support;

/// <summary>Replays the first listing of each folder forever, like an eventually consistent list.</summary>
public sealed class StaleListingStore(IObjectStore inner) : IObjectStore
{
    private readonly Dictionary<string, Listing> first = [];

    public async IAsyncEnumerable<Listing> ListPages(string folderUrl, NameRange range, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var key = $"{folderUrl}|{range}";
        if (!first.TryGetValue(key, out var listing))
        {
            var pages = new List<Listing>();
            await foreach (var page in inner.ListPages(folderUrl, range, cancellation))
            {
                pages.Add(page);
            }

            listing = new Listing([.. pages.SelectMany(p => p.Objects)], [.. pages.SelectMany(p => p.Folders)]);
            first[key] = listing;
        }

        yield return listing;
    }

    public Task<byte[]> Read(string url, CancellationToken cancellation) => inner.Read(url, cancellation);

    public Task<CreateOutcome> Create(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) =>
        inner.Create(url, content, cancellation);

    public Task Put(string url, ReadOnlyMemory<byte> content, CancellationToken cancellation) => inner.Put(url, content, cancellation);

    public Task<CopyOutcome> CopyIfAbsent(string sourceUrl, long sourceGeneration, long? sourceMetageneration, string destinationUrl, CancellationToken cancellation) =>
        inner.CopyIfAbsent(sourceUrl, sourceGeneration, sourceMetageneration, destinationUrl, cancellation);

    public Task<DeleteOutcome> Delete(string url, long generation, CancellationToken cancellation) =>
        inner.Delete(url, generation, cancellation);

    public Task<ObjectPresence> Presence(string url, CancellationToken cancellation) => inner.Presence(url, cancellation);

    public Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation) =>
        inner.Claim(url, generation, metageneration, cancellation);

    public string? NameProblem(string url) => inner.NameProblem(url);
}
