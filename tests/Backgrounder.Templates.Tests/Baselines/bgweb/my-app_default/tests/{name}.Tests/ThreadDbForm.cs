using System.Net;
using System.Text.RegularExpressions;
using my_app.Background;

namespace my_app.Tests;

/// <summary>A job's form on the threaddb page (Cancel, Run again), filled in as a browser would submit it.</summary>
public static partial class ThreadDbForm
{
    public static (string Action, FormUrlEncodedContent Content) Of(string html, JobId id, string button)
    {
        var form = Forms(html, id, button).Single();
        return (
            WebUtility.HtmlDecode(form.Groups["action"].Value),
            new FormUrlEncodedContent([KeyValuePair.Create(WebUtility.HtmlDecode(form.Groups["name"].Value), WebUtility.HtmlDecode(form.Groups["value"].Value))]));
    }

    public static bool Has(string html, JobId id, string button) => Forms(html, id, button).Any();

    private static IEnumerable<Match> Forms(string html, JobId id, string button) =>
        FormElement().Matches(html).Where(match =>
            match.Groups["action"].Value.Contains($"/jobs/{id}/", StringComparison.Ordinal) && match.Groups["button"].Value == button);

    [GeneratedRegex("""<form method="post" action="(?<action>[^"]+)"><input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)"><button type="submit">(?<button>[^<]+)</button></form>""")]
    private static partial Regex FormElement();
}
