using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BqDispatch.Core.Google;

namespace BqDispatch.Core.Storage.Gcs;

// Claims: objects.patch of one custom metadata key, under generation and metageneration preconditions. The patch gives
// the object a new metageneration, which the claimant's copy is then pinned to (ifSourceMetagenerationMatch).
public sealed partial class GcsStore
{
    /// <summary>The custom metadata key of a claim. Its value is unique per claim, so a claim whose answer was lost is recognised.</summary>
    public const string ClaimKey = "bqdispatch-claim";

    public async Task<ClaimResult> Claim(string url, long generation, long? metageneration, CancellationToken cancellation)
    {
        var target = ObjectUrl(url);
        var token = Guid.NewGuid().ToString("N");
        for (var round = 1; ; round++)
        {
            if (await Patch(target, token, generation, metageneration, cancellation) is { } claimed)
            {
                return new ClaimResult(ClaimOutcome.Claimed, claimed);
            }

            // Refused (404, 412) or unanswered: the object tells which, including a claim of this call that landed unseen.
            var info = await Stat(target, cancellation);
            if (info is null || info.Generation != generation)
            {
                return ClaimResult.Gone;
            }

            if (info.ClaimToken == token)
            {
                return new ClaimResult(ClaimOutcome.Claimed, info.Stored.Metageneration);
            }

            if (metageneration is { } expected && info.Stored.Metageneration != expected)
            {
                return ClaimResult.Taken;
            }

            if (round >= MaxConflictRounds)
            {
                throw new StorageException(url, 0, "claim: no attempt was answered and none left a trace");
            }
        }
    }

    /// <summary>One objects.patch; the new metageneration when answered 200, null when refused or unanswered.</summary>
    private async Task<long?> Patch(StorageUrl target, string token, long generation, long? metageneration, CancellationToken cancellation)
    {
        var url = target.ToString();
        var uri = new StringBuilder(ObjectPath(target))
            .Append("?ifGenerationMatch=").Append(generation.ToString(CultureInfo.InvariantCulture));
        if (metageneration is { } expected)
        {
            uri.Append("&ifMetagenerationMatch=").Append(expected.ToString(CultureInfo.InvariantCulture));
        }

        uri.Append("&fields=generation%2Cmetageneration&prettyPrint=false");
        var body = JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, string>> { ["metadata"] = new() { [ClaimKey] = token } });
        using var request = new HttpRequestMessage(HttpMethod.Patch, new Uri(uri.ToString()))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        // The preconditions make a repeat harmless, but an attempt that may have landed is looked at first (Claim).
        request.Options.Set(RetryHandler.Idempotent, true);
        request.Options.Set(RetryHandler.LookBeforeRepeat, true);
        try
        {
            using var response = await Send(request, url, cancellation);
            if (response.IsSuccessStatusCode)
            {
                using var document = await ParseJson(response, url, cancellation);
                return Int64(document.RootElement, "metageneration", url);
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed || MayHaveLanded(response.StatusCode))
            {
                return null;
            }

            throw await ErrorFrom(response, url, cancellation);
        }
        catch (StorageException e) when (e.Status == 0)
        {
            return null;
        }
    }
}
