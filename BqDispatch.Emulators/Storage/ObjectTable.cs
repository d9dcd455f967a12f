using System.Security.Cryptography;

namespace BqDispatch.Emulators.Storage;

/// <summary>A request the emulator refuses, answered with the Google error envelope.</summary>
internal sealed class StorageError(int status, string reason, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Reason { get; } = reason;

    public static StorageError NoBucket(string bucket) => new(404, "notFound", $"The specified bucket does not exist: {bucket}");

    public static StorageError NoObject(string bucket, string name) => new(404, "notFound", $"No such object: {bucket}/{name}");

    public static StorageError Precondition() =>
        new(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");

    public static StorageError Invalid(string message) => new(400, "invalid", message);
}

/// <summary>One live object generation.</summary>
internal sealed record Entry(byte[] Content, EmulatedObject Info);

/// <summary>Generation and metageneration preconditions of a request (null = not given).</summary>
internal readonly record struct Conditions(long? GenerationMatch, long? GenerationNotMatch, long? MetagenerationMatch = null)
{
    /// <summary>True when the current state (null = absent) satisfies them. ifGenerationMatch=0 means "absent".</summary>
    public bool Hold(EmulatedObject? current) =>
        (GenerationMatch is not { } match || (match == 0 ? current is null : current?.Generation == match))
        && (GenerationNotMatch is not { } notMatch || (notMatch == 0 ? current is not null : current?.Generation != notMatch))
        && (MetagenerationMatch is not { } metageneration || current?.Metageneration == metageneration);
}

/// <summary>A rewrite call: what to copy, its preconditions and how far it got.</summary>
internal sealed record RewriteCall(
    string SourceBucket,
    string SourceName,
    long? SourceGeneration,
    Conditions Source,
    string DestinationBucket,
    string DestinationName,
    Conditions Destination,
    long AlreadyRewritten,
    long ChunkBytes);

internal sealed record RewriteResult(bool Done, long TotalBytesRewritten, long ObjectSize, long SourceGeneration, EmulatedObject? Resource);

/// <summary>List page: items and prefixes in name order, and the last entry returned when more follow.</summary>
internal sealed record ListPage(IReadOnlyList<EmulatedObject> Items, IReadOnlyList<string> Prefixes, string? Cursor);

/// <summary>
/// What one objects.list page asks for: names starting with <paramref name="Prefix"/> in [<paramref name="StartOffset"/>,
/// <paramref name="EndOffset"/>), after <paramref name="Cursor"/> (the last entry of the previous page, a name or a prefix),
/// and matching <paramref name="Glob"/> when given.
/// </summary>
internal sealed record ListQuery(
    string Prefix, string? Delimiter, int PageSize, string? Cursor, string? StartOffset, string? EndOffset, MatchGlob? Glob = null);

/// <summary>
/// The buckets, their live objects and their soft-deleted ones (kept for the soft delete retention, as the service does
/// for buckets with a soft delete policy). Every operation is atomic (one lock).
/// </summary>
internal sealed class ObjectTable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, BucketObjects> buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> softDeleted = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Name), int> creations = [];
    private readonly Func<DateTimeOffset> clock;
    private readonly TimeSpan softDeleteRetention;
    private long lastGeneration;
    private long listEntriesRead;

    public ObjectTable(Func<DateTimeOffset> clock, TimeSpan softDeleteRetention)
    {
        this.clock = clock;
        this.softDeleteRetention = softDeleteRetention;

        // Like the service's microsecond generations: seeded from the time, then a plain counter (never goes back
        // when the clock does).
        lastGeneration = Math.Max(1, clock().ToUnixTimeMilliseconds() * 1000);
    }

    public bool CreateBucket(string name)
    {
        lock (gate)
        {
            softDeleted.TryAdd(name, []);
            return buckets.TryAdd(name, new BucketObjects());
        }
    }

    /// <summary>Names objects.list has read from the buckets since the start: the work its pages cost.</summary>
    public long ListEntriesRead
    {
        get
        {
            lock (gate)
            {
                return listEntriesRead;
            }
        }
    }

    public int CreationCount(string bucket, string name)
    {
        lock (gate)
        {
            return creations.GetValueOrDefault((bucket, name));
        }
    }

    public Entry? Find(string bucket, string name)
    {
        lock (gate)
        {
            return Bucket(bucket).Find(name);
        }
    }

    public IReadOnlyList<EmulatedObject> Snapshot(string bucket)
    {
        lock (gate)
        {
            return buckets.TryGetValue(bucket, out var objects) ? objects.All().Select(e => e.Info).ToList() : [];
        }
    }

    public Entry? TryFind(string bucket, string name)
    {
        lock (gate)
        {
            return buckets.TryGetValue(bucket, out var objects) ? objects.Find(name) : null;
        }
    }

    public EmulatedObject Seed(string bucket, string name, byte[] content, DateTimeOffset? created)
    {
        lock (gate)
        {
            if (!buckets.ContainsKey(bucket))
            {
                buckets[bucket] = new BucketObjects();
                softDeleted[bucket] = [];
            }

            return Write(bucket, name, content, "application/octet-stream", created ?? clock()).Info;
        }
    }

    /// <summary>objects.insert: writes a new generation when <paramref name="conditions"/> hold.</summary>
    public EmulatedObject Insert(string bucket, string name, byte[] content, string contentType, Conditions conditions)
    {
        lock (gate)
        {
            var objects = Bucket(bucket);
            if (!conditions.Hold(objects.Find(name)?.Info))
            {
                throw StorageError.Precondition();
            }

            return Write(bucket, name, content, contentType, clock()).Info;
        }
    }

    /// <summary>objects.delete: removes the live generation when it is <paramref name="generation"/> (if given) and the conditions hold.</summary>
    public void Delete(string bucket, string name, long? generation, Conditions conditions)
    {
        lock (gate)
        {
            var objects = Bucket(bucket);
            if (objects.Find(name) is not { } entry || (generation is { } g && entry.Info.Generation != g))
            {
                throw StorageError.NoObject(bucket, name);
            }

            if (!conditions.Hold(entry.Info))
            {
                throw StorageError.Precondition();
            }

            objects.Remove(name);
            KeepDeleted(bucket, entry);
        }
    }

    /// <summary>
    /// objects.patch of custom metadata (a null value removes a key): a new metageneration and update time, same generation
    /// and content, when the conditions hold.
    /// </summary>
    public EmulatedObject Patch(string bucket, string name, IReadOnlyDictionary<string, string?> metadata, Conditions conditions)
    {
        lock (gate)
        {
            var objects = Bucket(bucket);
            if (objects.Find(name) is not { } entry)
            {
                throw StorageError.NoObject(bucket, name);
            }

            if (!conditions.Hold(entry.Info))
            {
                throw StorageError.Precondition();
            }

            var merged = new Dictionary<string, string>(entry.Info.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, value) in metadata)
            {
                if (value is null)
                {
                    merged.Remove(key);
                }
                else
                {
                    merged[key] = value;
                }
            }

            var info = entry.Info with { Metageneration = entry.Info.Metageneration + 1, Updated = clock(), Metadata = merged };
            objects.Set(name, entry with { Info = info });
            return info;
        }
    }

    /// <summary>A soft-deleted generation of an object, or null when none (or it was hard-deleted since).</summary>
    public EmulatedObject? FindSoftDeleted(string bucket, string name, long generation)
    {
        lock (gate)
        {
            _ = Bucket(bucket);
            return SoftDeletedOf(bucket).FirstOrDefault(e => e.Info.Name == name && e.Info.Generation == generation)?.Info;
        }
    }

    /// <summary>
    /// objects.list with softDeleted=true: the soft-deleted generations whose names start with <paramref name="prefix"/>, in
    /// (name, generation) order, after <paramref name="cursor"/> (name and generation of the previous page's last item).
    /// </summary>
    public (IReadOnlyList<EmulatedObject> Items, (string Name, long Generation)? Cursor) ListSoftDeleted(
        string bucket, string prefix, int pageSize, (string Name, long Generation)? cursor)
    {
        lock (gate)
        {
            _ = Bucket(bucket);
            var matching = SoftDeletedOf(bucket)
                .Select(e => e.Info)
                .Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(o => o.Name, Utf8NameComparer.Instance)
                .ThenBy(o => o.Generation)
                .Where(o => cursor is not { } after
                            || Utf8NameComparer.Instance.Compare(o.Name, after.Name) > 0
                            || (o.Name == after.Name && o.Generation > after.Generation))
                .Take(pageSize + 1)
                .ToList();
            if (matching.Count <= pageSize)
            {
                return (matching, null);
            }

            var page = matching.Take(pageSize).ToList();
            return (page, (page[^1].Name, page[^1].Generation));
        }
    }

    /// <summary>One objects.rewrite call: checks source and destination, then copies a chunk or finishes the copy.</summary>
    public RewriteResult Rewrite(RewriteCall call)
    {
        lock (gate)
        {
            var sources = Bucket(call.SourceBucket);
            var destinations = Bucket(call.DestinationBucket);
            if (sources.Find(call.SourceName) is not { } source
                || (call.SourceGeneration is { } pinned && source.Info.Generation != pinned))
            {
                throw StorageError.NoObject(call.SourceBucket, call.SourceName);
            }

            if (!call.Source.Hold(source.Info) || !call.Destination.Hold(destinations.Find(call.DestinationName)?.Info))
            {
                throw StorageError.Precondition();
            }

            var size = source.Content.LongLength;
            if (size - call.AlreadyRewritten > call.ChunkBytes)
            {
                return new RewriteResult(false, call.AlreadyRewritten + call.ChunkBytes, size, source.Info.Generation, null);
            }

            // Like the service, a rewrite copies the source's custom metadata.
            var written = Write(call.DestinationBucket, call.DestinationName, source.Content, source.Info.ContentType, clock(), source.Info.Metadata);
            return new RewriteResult(true, size, size, source.Info.Generation, written.Info);
        }
    }

    /// <summary>
    /// objects.list: one page of <paramref name="query"/>. With a delimiter, deeper names roll up into prefixes. Items
    /// and prefixes together fill at most the page size. The page seeks to its start (prefix, startOffset, cursor) and
    /// jumps over the names a prefix stands for, so it reads about as many names as it returns, early or late.
    /// </summary>
    public ListPage List(string bucket, ListQuery query)
    {
        lock (gate)
        {
            var objects = Bucket(bucket);
            var items = new List<EmulatedObject>();
            var prefixes = new List<string>();
            var start = Later(query.Prefix, query.StartOffset);
            string? last = null;
            if (query.Cursor is { } cursor)
            {
                // A prefix cursor resumes after every name below it; a name cursor after that name.
                var rolledCursor = query.Delimiter is not null && cursor.EndsWith(query.Delimiter, StringComparison.Ordinal);
                start = Later(start, rolledCursor ? After(cursor) ?? cursor : cursor);
                last = cursor;
            }

            for (var from = start; from is not null;)
            {
                var seekTo = (string?)null;
                foreach (var name in objects.NamesFrom(from))
                {
                    listEntriesRead++;
                    if (!name.StartsWith(query.Prefix, StringComparison.Ordinal)
                        || (query.EndOffset is not null && Utf8NameComparer.Instance.Compare(name, query.EndOffset) >= 0))
                    {
                        break;
                    }

                    if (query.Glob is { } glob && !glob.Matches(name))
                    {
                        continue;
                    }

                    var rolled = RolledUp(name, query.Prefix, query.Delimiter);
                    if (name == last || (rolled is not null && rolled == last))
                    {
                        continue;
                    }

                    if (items.Count + prefixes.Count == query.PageSize)
                    {
                        // Something follows the full page.
                        return new ListPage(items, prefixes, last);
                    }

                    if (rolled is null)
                    {
                        items.Add(objects.Find(name)!.Info);
                        last = name;
                        continue;
                    }

                    prefixes.Add(rolled);
                    last = rolled;
                    if (After(rolled) is { } next)
                    {
                        seekTo = next;
                        break;
                    }
                }

                from = seekTo;
            }

            return new ListPage(items, prefixes, null);
        }
    }

    private static string Later(string a, string? b) => b is not null && Utf8NameComparer.Instance.Compare(b, a) > 0 ? b : a;

    /// <summary>
    /// The first name after every name that starts with <paramref name="prefix"/>: its last character plus one. Null when
    /// that character is a surrogate or above, where code-point order and UTF-16 differ (the page then reads on name by name).
    /// </summary>
    private static string? After(string prefix) =>
        prefix[^1] < '\uD7FF' ? string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString()) : null;

    private static string? RolledUp(string name, string prefix, string? delimiter)
    {
        if (string.IsNullOrEmpty(delimiter))
        {
            return null;
        }

        var at = name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return at < 0 ? null : name[..(at + delimiter.Length)];
    }

    // Callers hold gate. A retention of zero is a bucket without a soft delete policy: deleted objects are gone at once.
    private void KeepDeleted(string bucket, Entry entry)
    {
        if (softDeleteRetention <= TimeSpan.Zero)
        {
            return;
        }

        var now = clock();
        softDeleted[bucket].Add(entry with { Info = entry.Info with { SoftDeleted = now, HardDeleted = now + softDeleteRetention } });
    }

    // Callers hold gate; drops what is past its hard delete time.
    private List<Entry> SoftDeletedOf(string bucket)
    {
        var kept = softDeleted[bucket];
        var now = clock();
        kept.RemoveAll(e => e.Info.HardDeleted <= now);
        return kept;
    }

    // Callers hold gate.
    private BucketObjects Bucket(string bucket) =>
        buckets.TryGetValue(bucket, out var objects) ? objects : throw StorageError.NoBucket(bucket);

    // Callers hold gate; content is never mutated after it is stored.
    private Entry Write(
        string bucket, string name, byte[] content, string contentType, DateTimeOffset now, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var objects = buckets[bucket];
        if (!objects.Contains(name))
        {
            creations[(bucket, name)] = creations.GetValueOrDefault((bucket, name)) + 1;
        }

#pragma warning disable CA5351 // MD5 is Cloud Storage's md5Hash integrity checksum, not a security measure.
        var md5 = Convert.ToBase64String(MD5.HashData(content));
#pragma warning restore CA5351
        var info = new EmulatedObject(bucket, name, ++lastGeneration, 1, content.LongLength, contentType, md5, Crc32C.Base64(content), now, now)
        {
            Metadata = metadata,
        };
        var entry = new Entry(content, info);
        objects.Set(name, entry);
        return entry;
    }
}
