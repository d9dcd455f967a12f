using System.Buffers.Binary;

namespace BqDispatch.Emulators.Storage;

/// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven; Cloud Storage's crc32c checksum.</summary>
internal static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The base64 of the big-endian checksum, as the crc32c field and the X-Goog-Hash header carry it.</summary>
    public static string Base64(ReadOnlySpan<byte> data)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Compute(data));
        return Convert.ToBase64String(bytes);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F63B78u : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}

/// <summary>Orders names by their UTF-8 bytes (Unicode code-point order), as Cloud Storage lists them.</summary>
internal sealed class Utf8NameComparer : IComparer<string>
{
    public static Utf8NameComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return Rank(x[i]) - Rank(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    // Surrogates stand for code points above U+FFFF, so they rank after U+E000–U+FFFF.
    private static int Rank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
