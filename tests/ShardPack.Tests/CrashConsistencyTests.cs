using System.Diagnostics;
using System.Globalization;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>
/// shardpack killed (SIGKILL) at many points of a pack, most of them an overwrite of an existing dataset: the target
/// then holds exactly the old or exactly the new dataset (nothing, when there was no old one), and the next pack
/// leaves nothing else beside it. Kills land at random times while shards are written and at the steps of
/// publishing, with and without the atomic exchange.
/// </summary>
/// <remarks>CI kills <see cref="DefaultKills"/> packs (runs that finish before their kill come on top); set SHARDSTORE_CRASH_KILLS to kill more.</remarks>
[TestClass]
public sealed partial class CrashConsistencyTests
{
    public const string KillsVariable = "SHARDSTORE_CRASH_KILLS";
    private const int DefaultKills = 30;
    private const int Width = 16;
    private const int OldSamples = 3000;
    private const int NewSamples = 2000;
    private const string PauseVariable = "SHARDSTORE_TEST_PAUSE_AT";
    private const string NoExchangeVariable = "SHARDSTORE_TEST_NO_EXCHANGE";
    private const string PausedReport = "paused at";
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);
    private static readonly string[] s_steps = ["staged", "set-aside", "published"];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(14_400_000, CooperativeCancellation = true)] // long enough for a recorded run; every wait inside is bounded by s_patience
    public void Pack_KilledAtRandomPoints_TargetHoldsOldOrNewAndNextPackSweeps()
    {
        int kills = Kills(DefaultKills);
        using var inputs = new TempDirectory();
        using var outputs = new TempDirectory();
        (string oldInput, string newInput) = WriteInputs(inputs);
        string target = outputs.Combine("ds");

        // One pack that is not killed: it works with the hook variables absent, and gives the time a pack takes.
        var clock = Stopwatch.StartNew();
        TimeSpan startTime;
        using (CliProcess whole = CliProcess.Start(Environment.CurrentDirectory, null, PackArguments(newInput, target)))
        {
            Assert.IsTrue(WaitForStaging(whole, outputs.Path), "the pack never created its staging directory");
            startTime = clock.Elapsed;
            CliResult r = whole.WaitForExit(s_patience);
            Assert.AreEqual(0, r.ExitCode, r.ToString());
        }

        TimeSpan writeTime = clock.Elapsed - startTime;
        Assert.AreEqual(Held.New, Classify(target, "first pack"));

        var random = new Random(20261201);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int killedCount = 0;
        int runs = 0;
        for (int i = 0; killedCount < kills; i++)
        {
            Assert.IsLessThan(kills * 3, i, $"only {killedCount} of {i} runs were killed before they finished");
            runs++;
            TestContext.CancellationToken.ThrowIfCancellationRequested();
            // Every third run stops at a step of publishing; the step between the two renames needs an old dataset and no exchange.
            string? pauseAt = i % 3 == 0 ? s_steps[(i / 3) % s_steps.Length] : null;
            bool hasOld = pauseAt == "set-aside" || random.Next(4) != 0;
            bool exchange = pauseAt != "set-aside" && random.Next(2) == 0;
            PrepareTarget(oldInput, target, hasOld);

            var environment = new Dictionary<string, string>();
            if (!exchange)
            {
                environment[NoExchangeVariable] = "1";
            }

            if (pauseAt is not null)
            {
                environment[PauseVariable] = pauseAt;
            }

            // Half the random kills land while the process starts, half while it writes and publishes (up to a
            // little past the time that takes, so that some packs finish).
            bool whileWriting = random.Next(2) == 0;
            double delayMs = random.NextDouble() * (whileWriting ? writeTime.TotalMilliseconds * 1.2 : startTime.TotalMilliseconds);
            string what = $"kill {i}: {(hasOld ? "overwrite" : "new target")}, {(exchange ? "exchange" : "two renames")}, "
                + (pauseAt is not null ? $"paused at {pauseAt}" : $"{delayMs:F0} ms after {(whileWriting ? "staging appeared" : "start")}");
            bool killed;
            bool staged;
            using (CliProcess child = CliProcess.Start(Environment.CurrentDirectory, environment, PackArguments(newInput, target)))
            {
                if (pauseAt is not null)
                {
                    Assert.IsTrue(child.WaitForError(PausedReport, s_patience), what + ": never paused");
                }
                else if (!whileWriting || WaitForStaging(child, outputs.Path))
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(delayMs));
                }

                staged = Directory.GetDirectories(outputs.Path, ".ds.partial-*").Length > 0;
                killed = child.Kill();
                if (!killed)
                {
                    Assert.AreEqual(0, child.ExitCode, what + ": the pack that was not killed failed");
                }
            }

            if (hasOld && exchange)
            {
                Assert.IsTrue(Directory.Exists(target), what + ": with the exchange the target is never missing");
            }

            Held held = Classify(target, what);
            Held expected = pauseAt switch
            {
                "staged" or "set-aside" => hasOld ? Held.Old : Held.Nothing,
                "published" => Held.New,
                _ when !killed => Held.New,
                _ => held,
            };
            Assert.AreEqual(expected, held, what);
            Assert.IsTrue(held == Held.New || held == (hasOld ? Held.Old : Held.Nothing), $"{what}: held {held}");

            killedCount += killed ? 1 : 0;
            string key = $"{(killed ? "killed" : "finished")} {(pauseAt is null ? "at a random time" : "paused at " + pauseAt)}, {(hasOld ? "overwrite" : "new target")}, "
                + $"{(exchange ? "exchange" : "two renames")}, {(staged ? "staging present" : "no staging")} at the kill: held {held}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        // The last kill's leftovers are swept by the next pack too.
        PrepareTarget(oldInput, target, hasOld: true);
        foreach ((string key, int count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            TestContext.WriteLine($"{count,6}  {key}");
        }

        TestContext.WriteLine($"{runs} runs, {killedCount} killed; a whole pack took {startTime.TotalMilliseconds:F0} ms to start and {writeTime.TotalMilliseconds:F0} ms to write and publish");
    }

    private enum Held
    {
        Nothing,
        Old,
        New,
    }

    private static bool WaitForStaging(CliProcess child, string parent)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < s_patience)
        {
            if (Directory.GetDirectories(parent, ".ds.partial-*").Length > 0)
            {
                return true;
            }

            if (child.HasExited)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return false;
    }

    private static string[] PackArguments(string input, string target) =>
        ["pack", "--from", "npy", "--field", $"x={input}", "-o", target, "--overwrite", "--codec", "none", "--chunk-size", "4K", "--shard-size", "16K", "--threads", "2", "--quiet"];

    // Packs the old dataset in this process (which also sweeps what the killed writer left), or removes the target,
    // and checks that nothing else stands beside it.
    private static void PrepareTarget(string oldInput, string target, bool hasOld)
    {
        CliResult r = Cli.Run(PackArguments(oldInput, target));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!), "the pack left nothing beside the target");
        if (!hasOld)
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static Held Classify(string target, string what)
    {
        ShardDataset ds;
        try
        {
            ds = ShardDataset.Open(target);
        }
        catch (DirectoryNotFoundException)
        {
            return Held.Nothing;
        }

        using (ds)
        {
            Assert.IsEmpty(ds.Verify(), what);
            int sign = ds.SampleCount switch
            {
                OldSamples => 1,
                NewSamples => -1,
                _ => throw new AssertFailedException($"{what}: the target holds {ds.SampleCount} samples, neither the old nor the new dataset"),
            };
            float[] expected = Values((int)ds.SampleCount, sign);
            for (long i = 0; i < ds.SampleCount; i++)
            {
                using SampleLease s = ds.ReadSample(i);
                CollectionAssert.AreEqual(expected.AsSpan((int)i * Width, Width).ToArray(), s.Get<float>(0).ToArray(), $"{what}: sample {i}");
            }

            return sign > 0 ? Held.Old : Held.New;
        }
    }

    /// <summary>Returns the number of packs to kill: $SHARDSTORE_CRASH_KILLS when it is a positive number, else <paramref name="defaultKills"/>; Inconclusive when the executable is not beside the tests.</summary>
    private static int Kills(int defaultKills)
    {
        if (CliProcess.ExecutablePath is null)
        {
            Assert.Inconclusive("the shardpack executable is not beside the tests");
        }

        return int.TryParse(Environment.GetEnvironmentVariable(KillsVariable), CultureInfo.InvariantCulture, out int k) && k > 0 ? k : defaultKills;
    }

    /// <summary>Writes the old input (positive values) and the new one (negative values) into <paramref name="inputs"/>.</summary>
    private static (string Old, string New) WriteInputs(TempDirectory inputs)
    {
        string oldInput = inputs.Combine("old.npy");
        string newInput = inputs.Combine("new.npy");
        NpyWriter.Write<float>(oldInput, "<f4", [OldSamples, Width], Values(OldSamples, sign: 1));
        NpyWriter.Write<float>(newInput, "<f4", [NewSamples, Width], Values(NewSamples, sign: -1));
        return (oldInput, newInput);
    }

    private static float[] Values(int samples, int sign) => [.. Enumerable.Range(0, samples * Width).Select(v => sign * (v + 0.25f))];
}
