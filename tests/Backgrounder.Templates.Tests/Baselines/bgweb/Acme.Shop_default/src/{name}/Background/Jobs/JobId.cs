using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Acme.Shop.Background;

/// <summary>
/// A job's public name: 128 random bits as 22 URL-safe characters, so ids are never reused and cannot be guessed.
/// </summary>
[JsonConverter(typeof(JobIdJsonConverter))]
public readonly record struct JobId
{
    public const int TextLength = 22;

    // 22 characters carry 132 bits; the last one's 4 spare bits are zero, so it is one of these four.
    private const string LastCharacters = "AQgw";
    private static readonly SearchValues<char> s_alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private const int ByteLength = 16;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_used;

    // The bits, not their text: the store keeps one small value per job, not a string (docs/benchmarks.md, measure 1).
    private readonly UInt128 _bits;

    private JobId(UInt128 bits) => _bits = bits;

    public static JobId New()
    {
        // One call to the system's generator serves 64 ids: one call per id is a noticeable share of a no-op job (docs/benchmarks.md, measure 1).
        var random = t_random ??= new byte[ByteLength * 64];
        if (t_used == 0)
        {
            RandomNumberGenerator.Fill(random);
        }

        var bytes = random.AsSpan(t_used, ByteLength);
        var id = new JobId(BinaryPrimitives.ReadUInt128LittleEndian(bytes));
        bytes.Clear();
        t_used = (t_used + ByteLength) % random.Length;
        return id;
    }

    /// <summary>Accepts only the exact form <see cref="ToString"/> produces, so one job has one spelling.</summary>
    public static bool TryParse(string? text, out JobId id)
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        var valid = text is { Length: TextLength }
            && !text.AsSpan().ContainsAnyExcept(s_alphabet)
            && LastCharacters.Contains(text[^1])
            && Base64Url.DecodeFromChars(text, bytes) == ByteLength;
        id = valid ? new JobId(BinaryPrimitives.ReadUInt128LittleEndian(bytes)) : default;
        return valid;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        BinaryPrimitives.WriteUInt128LittleEndian(bytes, _bits);
        return Base64Url.EncodeToString(bytes);
    }
}

internal sealed class JobIdJsonConverter : JsonConverter<JobId>
{
    public override JobId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JobId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("Not a job id.");

    public override void Write(Utf8JsonWriter writer, JobId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
