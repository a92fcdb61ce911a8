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

    // Random bytes for the next ids of this thread: one RandomNumberGenerator call (a system call) per 64 ids.
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    private readonly string? _text;

    private JobId(string text) => _text = text;

    public static JobId New()
    {
        var random = t_random ??= new byte[ByteLength * 64];
        if (t_used == 0)
        {
            RandomNumberGenerator.Fill(random);
        }

        var bytes = random.AsSpan(t_used, ByteLength);
        var id = new JobId(Base64Url.EncodeToString(bytes));
        bytes.Clear();
        t_used = (t_used + ByteLength) % random.Length;
        return id;
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
