using System.Diagnostics;
using System.Globalization;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// Runs a fuzz target over mutated inputs: each case must end in success (the target checks the data it got) or in
/// an expected exception, within a time and an allocation bound; any other exception, or a bound broken, is a
/// failure. Failing inputs are saved to a folder named in the failure message, to be kept under Regressions/ and
/// replayed by <see cref="Replay"/>. The number of cases is the CI default unless SHARDSTORE_FUZZ_CASES sets it.
/// </summary>
internal static class FuzzRunner
{
    public const string CasesVariable = "SHARDSTORE_FUZZ_CASES";

    /// <summary>A file each run appends its counts to, when set.</summary>
    public const string LogVariable = "SHARDSTORE_FUZZ_LOG";

    /// <summary>Generous: a case takes milliseconds; only a hang or a runaway loop takes this long.</summary>
    public static readonly TimeSpan CaseTimeLimit = TimeSpan.FromSeconds(10);

    public static int Cases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : ciDefault;

    /// <summary>Runs <paramref name="cases"/> cases; case i's generator is seeded with (<paramref name="seed"/>, i), so a case is reproducible.</summary>
    /// <returns>How many cases succeeded and how many ended in an expected exception.</returns>
    public static (int Succeeded, int Rejected) Run(
        string target, int cases, int seed, Func<Random, FuzzCase> make, Action<FuzzCase> run, Func<Exception, bool> expected, long allocationLimit)
    {
        var failures = new List<string>();
        int succeeded = 0, rejected = 0;
        string folder = Path.Combine(Path.GetTempPath(), "shardstore-fuzz-failures", target);
        for (int i = 0; i < cases && failures.Count < 20; i++)
        {
            FuzzCase input = make(new Random(HashCode.Combine(seed, i)));
            string? problem = RunOne(input, run, expected, allocationLimit, ref succeeded, ref rejected);
            if (problem is not null)
            {
                string caseFolder = Path.Combine(folder, $"seed{seed}-case{i}");
                input.Save(caseFolder);
                failures.Add($"case {i}: {problem} (input saved in '{caseFolder}')");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{target}: {failures.Count} failing cases:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        }

        string summary = $"{target}: seed {seed}, {cases} cases, {succeeded} read back correct data, {rejected} refused with the expected exception, 0 failures";
        Console.WriteLine(summary);
        if (Environment.GetEnvironmentVariable(LogVariable) is { Length: > 0 } log)
        {
            File.AppendAllText(log, summary + Environment.NewLine);
        }

        return (succeeded, rejected);
    }

    /// <summary>Replays every kept input under Regressions/<paramref name="target"/> (one folder per case).</summary>
    /// <returns>The number of inputs replayed.</returns>
    public static int Replay(string target, Action<FuzzCase> run, Func<Exception, bool> expected, long allocationLimit)
    {
        string root = Path.Combine(AppContext.BaseDirectory, "Regressions", target);
        Assert.IsTrue(Directory.Exists(root), $"no regression inputs in '{root}'");
        var failures = new List<string>();
        int succeeded = 0, rejected = 0, count = 0;
        foreach (string caseFolder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            count++;
            string? problem = RunOne(FuzzCase.Load(caseFolder), run, expected, allocationLimit, ref succeeded, ref rejected);
            if (problem is not null)
            {
                failures.Add($"{Path.GetFileName(caseFolder)}: {problem}");
            }
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{target}: {failures.Count} regression inputs fail:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        }

        return count;
    }

    private static string? RunOne(FuzzCase input, Action<FuzzCase> run, Func<Exception, bool> expected, long allocationLimit, ref int succeeded, ref int rejected)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string? problem = null;
        try
        {
            run(input);
            succeeded++;
        }
        catch (Exception e) when (expected(e))
        {
            rejected++;
        }
        catch (Exception e)
        {
            problem = $"{e.GetType().Name}: {e.Message}";
        }

        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (problem is null && clock.Elapsed > CaseTimeLimit)
        {
            problem = $"took {clock.Elapsed.TotalSeconds:F1} s";
        }

        if (problem is null && allocated > allocationLimit)
        {
            problem = $"allocated {allocated} bytes (limit {allocationLimit})";
        }

        return problem;
    }
}
