using System.Globalization;

namespace Backgrounder.Benchmarks.Reporting;

/// <summary>Prints results as the rows of docs/benchmarks.md: measure | ours | baseline | ours/baseline.</summary>
public sealed class RatioTable(string title)
{
    private readonly List<string> _rows = [];

    public void Add(string measure, double ours, double baseline, string unit, string baselineName)
    {
        var ratio = baseline == 0 ? double.NaN : ours / baseline;
        _rows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {measure} | {Format(ours)} {unit} | {Format(baseline)} {unit} ({baselineName}) | {ratio:0.00} |"));
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"### {title}");
        Console.WriteLine();
        Console.WriteLine("| measure | ours | baseline | ours/baseline |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var row in _rows)
        {
            Console.WriteLine(row);
        }

        Console.WriteLine();
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
