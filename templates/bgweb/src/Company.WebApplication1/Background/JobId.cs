using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Company.WebApplication1.Background;

/// <summary>
/// A job's public name: 128 random bits as 22 URL-safe characters. The seed used thread ids,
/// which are small, reused and guessable; these are none of that.
/// </summary>
public readonly record struct JobId
{
    public const int TextLength = 22;
    private const int ByteLength = 16;

    // 22 characters carry 132 bits; the last one's 4 spare bits are zero, so it is one of these four.
    private const string LastCharacters = "AQgw";
    private static readonly SearchValues<char> s_alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly string? _text;

    private JobId(string text) => _text = text;

    public static JobId New()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        RandomNumberGenerator.Fill(bytes);
        return new JobId(Base64Url.EncodeToString(bytes));
    }

    /// <summary>Accepts only the exact form <see cref="New"/> produces, so one job has one spelling.</summary>
    public static bool TryParse(string? text, out JobId id)
    {
        var valid = text is { Length: TextLength }
            && !text.AsSpan().ContainsAnyExcept(s_alphabet)
            && LastCharacters.Contains(text[^1]);
        id = valid ? new JobId(text!) : default;
        return valid;
    }

    public override string ToString() => _text ?? string.Empty;
}
