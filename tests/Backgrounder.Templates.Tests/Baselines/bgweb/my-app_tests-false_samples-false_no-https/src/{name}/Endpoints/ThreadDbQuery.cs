using System.Globalization;
using my_app.Background;

namespace my_app.Endpoints;

/// <summary>What the viewer shows: the jobs in one state and of one name, or all (<see cref="State"/>, <see cref="Name"/> null); one page of them.</summary>
internal readonly record struct ThreadDbQuery(JobState? State, string? Name, int? Page)
{
    // Far enough for any store: past it, (page - 1) * PageSize would overflow.
    private const int LastPage = int.MaxValue / ThreadDbViewer.PageSize;

    // Longer than any job name a dashboard link carries; a longer one is a mistake, not a name.
    private const int MaxNameLength = 256;

    public int PageOrFirst => Page ?? 1;

    public int Skip => (PageOrFirst - 1) * ThreadDbViewer.PageSize;

    public static bool TryParse(string? state, string? name, string? page, out ThreadDbQuery query, out string error)
    {
        query = default;
        error = "";
        JobState? filter = null;
        if (!string.IsNullOrEmpty(state))
        {
            // Names only: Enum.TryParse would also take "1" or "Queued,Running".
            var stateName = Enum.GetNames<JobState>().FirstOrDefault(known => known.Equals(state, StringComparison.OrdinalIgnoreCase));
            if (stateName is null)
            {
                error = $"'state' must be one of {string.Join(", ", Enum.GetNames<JobState>())}.";
                return false;
            }

            filter = Enum.Parse<JobState>(stateName);
        }

        if (name is { Length: > MaxNameLength })
        {
            error = $"'name' must be a job's name, at most {MaxNameLength} characters.";
            return false;
        }

        int? number = null;
        if (!string.IsNullOrEmpty(page))
        {
            if (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > LastPage)
            {
                error = $"'page' must be a page number from 1 to {LastPage}.";
                return false;
            }

            number = parsed;
        }

        query = new ThreadDbQuery(filter, string.IsNullOrEmpty(name) ? null : name, number);
        return true;
    }

    /// <summary>The same filter on another page.</summary>
    public ThreadDbQuery WithPage(int page) => this with { Page = page > 1 ? page : null };

    public QueryString ToQueryString()
    {
        var query = QueryString.Empty;
        if (State is { } state)
        {
            query = query.Add("state", state.ToString());
        }

        if (Name is { } name)
        {
            query = query.Add("name", name);
        }

        if (Page is > 1)
        {
            query = query.Add("page", Page.Value.ToString(CultureInfo.InvariantCulture));
        }

        return query;
    }
}
