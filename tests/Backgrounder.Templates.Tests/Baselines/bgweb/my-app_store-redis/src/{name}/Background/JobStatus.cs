using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace my_app.Background;

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

    // The bits, not their text: the store keeps one small value per job, not a string (benchmarks, measure 1).
    private readonly UInt128 _bits;

    private JobId(UInt128 bits) => _bits = bits;

    public static JobId New()
    {
        // One call to the system's generator serves 64 ids: it costs a quarter of a no-op job otherwise (benchmarks, measure 1).
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

/// <summary>Where a job is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Its node stopped (shut down, or stopped responding) before the job did.</summary>
    Interrupted,
}

/// <summary>
/// A job's record, as the store keeps it and as clients see it: <c>GET /jobs/{id}</c> and the event stream's
/// <c>state</c> events serialise this record. Output lines are numbered 0, 1, 2, … as they are written;
/// <paramref name="LineCount"/> counts them all, <paramref name="Dropped"/> the oldest ones no longer kept.
/// </summary>
public sealed record JobStatus(
    JobId Id,
    JobState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    double? Progress = null,
    string? Error = null,
    bool CancelRequested = false,
    string? Node = null,
    long LineCount = 0,
    long Dropped = 0)
{
    /// <summary>Who may see the job (a hash of a user or of an owner cookie); null when anyone holding the id may. Never sent to clients.</summary>
    [JsonIgnore]
    public string? Owner { get; init; }

    public bool IsFinished => State is not (JobState.Queued or JobState.Running);
}

/// <summary>Lines of a job's output, the first of them numbered <paramref name="First"/>.</summary>
/// <remarks>A value, not an object: most writes send a single line (benchmarks, measure 2).</remarks>
public readonly record struct JobLines(long First, IReadOnlyList<string> Lines)
{
    /// <summary>The number of the line after these: where the next read starts.</summary>
    public long Next => First + Lines.Count;
}

internal sealed class JobIdJsonConverter : JsonConverter<JobId>
{
    public override JobId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JobId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("Not a job id.");

    public override void Write(Utf8JsonWriter writer, JobId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
