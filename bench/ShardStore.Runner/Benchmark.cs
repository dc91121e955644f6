using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ShardStore.Runner.Reporting;

namespace ShardStore.Runner;

/// <summary>The benchmark modes (<c>--matrix</c>, <c>--quick</c>, <c>--naive</c>, <c>--out-of-core</c>): runs the parts asked for, then prints the tables and writes the JSON.</summary>
internal static class Benchmark
{
    public static int Run(ScratchSpace scratch, RunnerOptions options, string[] args)
    {
        // Refuse a full run at once, not after the matrix, when the out-of-core dataset cannot fit.
        if (options.RunsOutOfCore && OutOfCoreScenario.CannotRun(options, scratch.Root) is { } reason)
        {
            Console.Error.WriteLine($"out-of-core: {reason}.");
            Console.Error.WriteLine(options.RunsMatrix || options.RunsNaive ? "Nothing was run; add --skip out-of-core to run the other parts." : "Nothing was run.");
            return 1;
        }

        var clock = Stopwatch.StartNew();
        var run = new BenchmarkRun(options, scratch);
        MachineInfo machine = MachineInfo.Describe(scratch.Root);
        int status = 0;
        if (options.RunsMatrix)
        {
            MatrixScenario.Run(run);
        }

        if (options.RunsNaive)
        {
            NaiveScenario.Run(run);
        }

        if (options.RunsOutOfCore)
        {
            status = OutOfCoreScenario.Run(run);
        }

        BenchmarkReport report = run.ToReport(machine, string.Join(' ', args), clock.Elapsed.TotalSeconds);
        ReportPrinter.Write(report, Console.Out);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Measured in {report.Seconds:F0} s."));
        if (options.JsonPath is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(report, ReportJsonContext.Readable.BenchmarkReport));
            Console.WriteLine($"Wrote {path}");
        }

        return status;
    }
}
