namespace BqDispatch.Emulators;

/// <summary>
/// A partial-response mask (the <c>fields</c> parameter of Google APIs): <c>a,b/c,d(e,f)</c> selects fields, <c>b/c</c> is
/// <c>b(c)</c>, and a field selected without sub-fields comes whole. The services send only what the mask selects, so a
/// client that asks for little also parses little; the emulators do the same.
/// </summary>
internal sealed class FieldMask
{
    /// <summary>Every field (no mask, or <c>*</c>).</summary>
    public static readonly FieldMask All = new(null);

    private readonly Dictionary<string, FieldMask>? fields;

    private FieldMask(Dictionary<string, FieldMask>? fields)
    {
        this.fields = fields;
    }

    public bool Includes(string field) => fields is null || fields.ContainsKey(field);

    /// <summary>The mask of a field's sub-fields; <see cref="All"/> when the field was selected whole.</summary>
    public FieldMask Of(string field) => fields is not null && fields.TryGetValue(field, out var mask) ? mask : All;

    /// <summary>Parses a mask; an empty one selects every field. Throws <see cref="FormatException"/> when it is malformed.</summary>
    public static FieldMask Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }

        var position = 0;
        var mask = ParseList(text, ref position);
        return position == text.Length ? mask : throw new FormatException($"unexpected '{text[position]}' at {position} in fields '{text}'");
    }

    private static FieldMask ParseList(string text, ref int position)
    {
        var fields = new Dictionary<string, FieldMask>(StringComparer.Ordinal);
        while (true)
        {
            var (name, mask) = ParseItem(text, ref position);
            if (name == "*")
            {
                return SkipRest(text, ref position);
            }

            fields[name] = fields.TryGetValue(name, out var earlier) ? Merge(earlier, mask) : mask;
            if (position < text.Length && text[position] == ',')
            {
                position++;
                continue;
            }

            return new FieldMask(fields);
        }
    }

    // name, then "/path" or "(list)" or nothing.
    private static (string Name, FieldMask Mask) ParseItem(string text, ref int position)
    {
        var start = position;
        while (position < text.Length && text[position] is not (',' or '/' or '(' or ')'))
        {
            position++;
        }

        var name = text[start..position].Trim();
        if (name.Length == 0)
        {
            throw new FormatException($"empty field name at {start} in fields '{text}'");
        }

        if (position < text.Length && text[position] == '/')
        {
            position++;
            var (child, childMask) = ParseItem(text, ref position);
            return (name, new FieldMask(new Dictionary<string, FieldMask>(StringComparer.Ordinal) { [child] = childMask }));
        }

        if (position < text.Length && text[position] == '(')
        {
            position++;
            var mask = ParseList(text, ref position);
            if (position >= text.Length || text[position] != ')')
            {
                throw new FormatException($"missing ')' in fields '{text}'");
            }

            position++;
            return (name, mask);
        }

        return (name, All);
    }

    // "*" selects everything at its level; what follows it there adds nothing.
    private static FieldMask SkipRest(string text, ref int position)
    {
        var depth = 0;
        while (position < text.Length && (depth > 0 || text[position] != ')'))
        {
            depth += text[position] == '(' ? 1 : text[position] == ')' ? -1 : 0;
            position++;
        }

        return All;
    }

    private static FieldMask Merge(FieldMask a, FieldMask b)
    {
        if (a.fields is null || b.fields is null)
        {
            return All;
        }

        var merged = new Dictionary<string, FieldMask>(a.fields, StringComparer.Ordinal);
        foreach (var (name, mask) in b.fields)
        {
            merged[name] = merged.TryGetValue(name, out var earlier) ? Merge(earlier, mask) : mask;
        }

        return new FieldMask(merged);
    }
}
