using System.Diagnostics;
using System.Globalization;

namespace ShardPack.Tests.Infrastructure;

/// <summary>
/// Runs a parser on mutated inputs, each case on its own thread with a time and an allocation bound. A case passes when
/// it ends in data or in one of the allowed (typed) exceptions; any other exception, a timeout or an allocation over the
/// bound is a failure, whose input is saved so it can be kept as a regression file.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>The environment variable that raises the number of cases per parser (CI runs the default).</summary>
    public const string CasesVariable = "SHARDSTORE_FUZZ_CASES";

    /// <summary>The environment variable naming a file to which each run appends its one-line summary.</summary>
    public const string LogVariable = "SHARDSTORE_FUZZ_LOG";

    /// <summary>The most one case may allocate on its thread.</summary>
    public const long MaxAllocatedBytes = 64L << 20;

    /// <summary>The longest one case may run.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Returns the number of cases to run: <see cref="CasesVariable"/> when set, else <paramref name="ciDefault"/>.</summary>
    public static int Cases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : ciDefault;

    /// <summary>Runs <paramref name="cases"/> mutants of <paramref name="corpus"/> (case i uses seed <paramref name="seed"/> + i) and fails the test on any failure.</summary>
    public static void Run(string parser, int seed, int cases, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> tokens, Action<byte[]> target, params Type[] allowed)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        int errors = 0;
        foreach (byte[] seedInput in corpus)
        {
            // The corpus itself must pass: it is valid data.
            if (RunCase(seedInput, target, allowed) is { } failure)
            {
                failures.Add($"valid corpus input fails: {failure}");
            }
        }

        for (int i = 0; i < cases; i++)
        {
            byte[] input = new Mutator(seed + i, tokens).Next(corpus);
            string? failure = RunCase(input, target, allowed, () => errors++);
            if (failure is not null)
            {
                failures.Add($"case {seed + i} ({Save(parser, seed + i, input)}): {failure}");
            }
        }

        string summary = $"fuzz {parser}: {cases} cases (seeds {seed}..{seed + cases - 1}), {errors} typed errors, {cases - errors - failures.Count} accepted, {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s";
        Console.WriteLine(summary);
        if (Environment.GetEnvironmentVariable(LogVariable) is { Length: > 0 } log)
        {
            File.AppendAllText(log, summary + Environment.NewLine);
        }

        if (failures.Count > 0)
        {
            Assert.Fail($"{failures.Count} of {cases} {parser} cases failed:\n{string.Join('\n', failures.Take(10))}");
        }
    }

    /// <summary>Replays every saved input of <paramref name="parser"/> under Regressions/; each must pass as a fuzz case does.</summary>
    public static void Replay(string parser, Action<byte[]> target, params Type[] allowed)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Regressions", parser);
        string[] files = Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
        var failures = new List<string>();
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            if (RunCase(File.ReadAllBytes(file), target, allowed) is { } failure)
            {
                failures.Add($"{Path.GetFileName(file)}: {failure}");
            }
        }

        Assert.IsEmpty(failures, string.Join('\n', failures));
    }

    /// <summary>Runs one case; returns null when it passed, else what went wrong.</summary>
    public static string? RunCase(byte[] input, Action<byte[]> target, Type[] allowed, Action? onTypedError = null)
    {
        string? failure = null;
        bool typed = false;
        long allocated = 0;
        var thread = new Thread(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target(input);
                }
                catch (Exception e) when (e is InvalidDataException || allowed.Any(t => t.IsInstanceOfType(e)))
                {
                    typed = true;
                    if (string.IsNullOrWhiteSpace(e.Message))
                    {
                        failure = $"{e.GetType().Name} without a message";
                    }
                }
                catch (Exception e)
                {
                    failure = $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            maxStackSize: 1 << 20)
        {
            IsBackground = true,
        };
        thread.Start();
        if (!thread.Join(CaseTimeout))
        {
            return $"did not end within {CaseTimeout.TotalSeconds} s";
        }

        if (failure is null && allocated > MaxAllocatedBytes)
        {
            failure = $"allocated {allocated} bytes, more than {MaxAllocatedBytes}";
        }

        if (failure is null && typed)
        {
            onTypedError?.Invoke();
        }

        return failure;
    }

    private static string Save(string parser, int seed, byte[] input)
    {
        string folder = Path.Combine(Path.GetTempPath(), "shardpack-fuzz-failures", parser);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{seed}.bin"));
        File.WriteAllBytes(path, input);
        return path;
    }
}
