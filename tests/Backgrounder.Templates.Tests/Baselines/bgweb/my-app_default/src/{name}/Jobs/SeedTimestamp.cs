using System.Globalization;

namespace my_app.Jobs;

/// <summary>Local time as Python printed <c>datetime.now()</c> in the seed: <c>2008-06-14 15:50:27.763813</c>.</summary>
public static class SeedTimestamp
{
    public const string Format = "yyyy-MM-dd HH:mm:ss.ffffff";

    public static string Now(TimeProvider time) =>
        time.GetLocalNow().ToString(Format, CultureInfo.InvariantCulture);
}
