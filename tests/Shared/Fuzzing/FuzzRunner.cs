using System.Diagnostics;
using System.Globalization;

namespace ShardStore.Testing.Fuzzing;

/// <summary>
/// Runs a fuzz target over mutated inputs, each case on its own thread (1 MiB stack) within the target's time and
/// allocation bounds. A case passes when the check returns (the target checks the data it got) or throws one of the
/// target's expected exceptions with a message; any other exception, a timeout or an allocation over the bound is a
/// failure, whose input is saved to a folder named in the failure message, to be kept under Regressions/&lt;target&gt;/
/// and replayed by <see cref="Replay"/>. Case i of a run uses the generator seeded with seed + i, so it is reproducible.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>The environment variable that raises the number of cases per target (CI runs the default).</summary>
    public const string CasesVariable = "SHARDSTORE_FUZZ_CASES";

    /// <summary>The environment variable naming a file to which each run appends its one-line summary.</summary>
    public const string LogVariable = "SHARDSTORE_FUZZ_LOG";

    private const int MaxListedFailures = 20;

    /// <summary>Returns the number of cases to run: <see cref="CasesVariable"/> when set, else <paramref name="ciDefault"/>.</summary>
    public static int Cases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : ciDefault;

    /// <summary>
    /// Checks that every input of <paramref name="corpus"/> passes (it is valid data), then runs <paramref name="cases"/>
    /// mutants of it (see <see cref="Mutator.Next"/>), inserting <paramref name="tokens"/> among other mutations.
    /// </summary>
    public static FuzzCounts Run(FuzzTarget target, int seed, int cases, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> tokens) =>
        Run(target, seed, cases, random => FuzzCase.Of(new Mutator(random, tokens).Next(corpus)), [.. corpus.Select(FuzzCase.Of)]);

    /// <summary>
    /// Runs <paramref name="cases"/> cases made by <paramref name="make"/> (case i from a generator seeded with
    /// <paramref name="seed"/> + i), after checking that each of <paramref name="valid"/> passes; fails the test on any failure.
    /// </summary>
    public static FuzzCounts Run(FuzzTarget target, int seed, int cases, Func<Random, FuzzCase> make, IReadOnlyList<FuzzCase>? valid = null)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        foreach (FuzzCase input in valid ?? [])
        {
            if (RunCase(target, input, out _) is { } failure)
            {
                failures.Add($"valid input fails: {failure}");
            }
        }

        int succeeded = 0, rejected = 0;
        string folder = Path.Combine(Path.GetTempPath(), "shardstore-fuzz-failures", target.Name);
        for (int i = 0; i < cases; i++)
        {
            int caseSeed = seed + i;
            FuzzCase input = make(new Random(caseSeed));
            string? failure = RunCase(target, input, out bool typed);
            if (failure is not null)
            {
                string saved = input.Save(folder, caseSeed.ToString(CultureInfo.InvariantCulture));
                failures.Add($"case {caseSeed} (input saved in '{saved}'): {failure}");
            }
            else if (typed)
            {
                rejected++;
            }
            else
            {
                succeeded++;
            }
        }

        string summary = $"fuzz {target.Name}: {cases} cases (seeds {seed}..{seed + cases - 1}), {rejected} typed errors, {succeeded} accepted, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s";
        Console.WriteLine(summary);
        if (Environment.GetEnvironmentVariable(LogVariable) is { Length: > 0 } log)
        {
            File.AppendAllText(log, summary + Environment.NewLine);
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} of {cases} {target.Name} cases failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(MaxListedFailures))}");
        }

        return new FuzzCounts(succeeded, rejected);
    }

    /// <summary>Replays every input kept under Regressions/&lt;target&gt;/ (a file per unnamed input, a folder per case of named files); each must pass as a fuzz case does.</summary>
    /// <returns>The number of inputs replayed.</returns>
    public static int Replay(FuzzTarget target)
    {
        string root = Path.Combine(AppContext.BaseDirectory, "Regressions", target.Name);
        string[] entries = Directory.Exists(root) ? Directory.GetFileSystemEntries(root) : [];
        var failures = new List<string>();
        foreach (string entry in entries.Order(StringComparer.Ordinal))
        {
            if (RunCase(target, FuzzCase.Load(entry), out _) is { } failure)
            {
                failures.Add($"{Path.GetFileName(entry)}: {failure}");
            }
        }

        Assert.IsEmpty(failures, $"{target.Name}: {failures.Count} kept inputs fail:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
        return entries.Length;
    }

    /// <summary>Runs one case; returns null when it passed (<paramref name="typed"/>: with an expected exception), else what went wrong.</summary>
    public static string? RunCase(FuzzTarget target, FuzzCase input, out bool typed)
    {
        string? failure = null;
        bool refused = false;
        long allocated = 0;
        var thread = new Thread(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target.Check(input);
                }
                catch (Exception e) when (target.IsExpected(e))
                {
                    refused = true;
                    if (string.IsNullOrWhiteSpace(e.Message))
                    {
                        failure = $"{e.GetType().Name} without a message";
                    }
                }
                catch (Exception e)
                {
                    failure = $"{e.GetType().FullName}: {e.Message}{Environment.NewLine}{e.StackTrace}";
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            maxStackSize: 1 << 20)
        {
            IsBackground = true,
        };
        thread.Start();
        typed = false;
        if (!thread.Join(target.TimeLimit))
        {
            return $"did not end within {target.TimeLimit.TotalSeconds} s";
        }

        if (failure is null && allocated > target.AllocationLimit)
        {
            failure = $"allocated {allocated} bytes, more than {target.AllocationLimit}";
        }

        typed = failure is null && refused;
        return failure;
    }
}
