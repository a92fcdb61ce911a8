using System.Text;

namespace Acme.Shop.Background;

/// <summary>
/// The Lua scripts of <see cref="RedisJobStore"/>, one per change, in <c>Scripts/*.lua</c> (embedded). Keys:
/// <c>job:{id}</c> (a hash), <c>lines:{id}</c> (the kept lines, a list), <c>jobs</c> and <c>state:{state}</c>
/// (indexes by creation order), <c>finished</c> (by finish time, for retention), <c>due:{name}</c> (scheduled jobs by due
/// time, per name, so a node claims only names it knows), <c>node-jobs:{node}</c> and
/// <c>node:{node}</c> (a node's jobs and its heartbeat). ARGV[1] is the key prefix, ARGV[2] the job id; every change is
/// published on the <c>changed</c> channel. Each script that changes a job starts with <c>common.lua</c>'s functions.
/// </summary>
internal static class RedisScripts
{
    private static readonly string s_common = Load("common.lua");

    public static readonly string Create = WithCommon("create.lua");
    public static readonly string ReadLines = Load("read-lines.lua");
    public static readonly string Append = WithCommon("append.lua");
    public static readonly string Progress = WithCommon("progress.lua");
    public static readonly string Start = WithCommon("start.lua");
    public static readonly string Finish = WithCommon("finish.lua");
    public static readonly string Cancel = WithCommon("cancel.lua");
    public static readonly string InterruptNode = WithCommon("interrupt-node.lua");
    public static readonly string RemoveExpired = WithCommon("remove-expired.lua");
    public static readonly string Restore = WithCommon("restore.lua");
    public static readonly string Abandon = WithCommon("abandon.lua");
    public static readonly string Missing = Load("missing.lua");
    public static readonly string CountStart = Load("count-start.lua");
    public static readonly string Claim = WithCommon("claim.lua");
    public static readonly string Claimed = Load("claimed.lua");
    public static readonly string Retry = WithCommon("retry.lua");
    public static readonly string Release = WithCommon("release.lua");

    private static string WithCommon(string name) => s_common + Load(name);

    private static string Load(string name)
    {
        // Embedded under redis/<file> by the app's project file.
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream("redis/" + name)
            ?? throw new InvalidOperationException($"The embedded Redis script {name} is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
