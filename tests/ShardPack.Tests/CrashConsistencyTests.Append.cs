using System.Diagnostics;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <content>
/// shardpack pack --append killed (SIGKILL) at random times and at the steps of publishing a generation: the dataset
/// then holds generation 1 or generation 2 whole, and the next append builds on it.
/// </content>
public sealed partial class CrashConsistencyTests
{
    private const int DefaultAppendKills = 12;
    private static readonly string[] s_appendSteps = ["append-shards", "published"];

    [TestMethod]
    [Timeout(3_600_000, CooperativeCancellation = true)] // every wait inside is bounded by s_patience
    public void PackAppend_KilledAtRandomPointsAndSteps_DatasetHoldsOneGenerationWholeAndNextAppendWorks()
    {
        int kills = Kills(DefaultAppendKills);
        using var inputs = new TempDirectory();
        using var outputs = new TempDirectory();
        (string oldInput, string newInput) = WriteInputs(inputs);
        string target = outputs.Combine("ds");

        PrepareOld(oldInput, target);
        var clock = Stopwatch.StartNew();
        CliResult whole = CliProcess.Run(Environment.CurrentDirectory, AppendArguments(newInput, target));
        Assert.AreEqual(0, whole.ExitCode, whole.ToString());
        TimeSpan appendTime = clock.Elapsed;
        Assert.AreEqual(2, ClassifyGenerations(target, "whole append"));

        var random = new Random(20261202);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int killedCount = 0;
        for (int i = 0; killedCount < kills; i++)
        {
            Assert.IsLessThan(kills * 3, i, $"only {killedCount} of {i} appends were killed before they finished");
            TestContext.CancellationToken.ThrowIfCancellationRequested();
            string? pauseAt = i % 2 == 0 ? s_appendSteps[(i / 2) % s_appendSteps.Length] : null;
            PrepareOld(oldInput, target);
            var environment = new Dictionary<string, string>();
            if (pauseAt is not null)
            {
                environment[PauseVariable] = pauseAt;
            }

            double delayMs = random.NextDouble() * appendTime.TotalMilliseconds * 1.2;
            string what = $"append kill {i}: " + (pauseAt is not null ? $"paused at {pauseAt}" : $"{delayMs:F0} ms after start");
            bool killed;
            using (CliProcess child = CliProcess.Start(Environment.CurrentDirectory, environment, AppendArguments(newInput, target)))
            {
                if (pauseAt is not null)
                {
                    Assert.IsTrue(child.WaitForError(PausedReport, s_patience), what + ": never paused");
                }
                else
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(delayMs));
                }

                killed = child.Kill();
                if (!killed)
                {
                    Assert.AreEqual(0, child.ExitCode, what + ": the append that was not killed failed");
                }
            }

            int held = ClassifyGenerations(target, what);
            int expected = pauseAt switch
            {
                "append-shards" => 1,
                "published" => 2,
                _ when !killed => 2,
                _ => held,
            };
            Assert.AreEqual(expected, held, what);

            // The next append builds on the generation that is there, after the killed writer's leftovers are swept.
            CliResult next = CliProcess.Run(Environment.CurrentDirectory, AppendArguments(newInput, target));
            Assert.AreEqual(0, next.ExitCode, $"{what}: next append\n{next}");
            Assert.AreEqual(held + 1, ClassifyGenerations(target, what + ", next append"));
            string[] beside = [.. Directory.GetFileSystemEntries(outputs.Path).Select(Path.GetFileName).Where(n => n != "ds" && n != ".ds.append-lock")!];
            Assert.IsEmpty(beside, $"{what}: left beside the dataset: {string.Join(", ", beside)}");

            killedCount += killed ? 1 : 0;
            string key = $"{(killed ? "killed" : "finished")} {(pauseAt is null ? "at a random time" : "paused at " + pauseAt)}: held generation {held}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach ((string key, int count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            TestContext.WriteLine($"{count,6}  {key}");
        }
    }

    private static string[] AppendArguments(string input, string target) =>
        ["pack", "--from", "npy", "--field", $"x={input}", "-o", target, "--append", "--codec", "none", "--chunk-size", "4K", "--shard-size", "16K", "--threads", "2", "--quiet"];

    private static void PrepareOld(string oldInput, string target)
    {
        CliResult r = Cli.Run(PackArguments(oldInput, target));
        Assert.AreEqual(0, r.ExitCode, r.ToString());
    }

    // Checks that every generation the dataset has holds exactly its samples (the old ones, then the appended ones
    // each time), and returns the newest generation.
    private static int ClassifyGenerations(string target, string what)
    {
        using ShardDataset newest = ShardDataset.Open(target);
        Assert.IsEmpty(newest.Verify(), what);
        Assert.AreEqual(OldSamples + ((newest.Generation - 1) * (long)NewSamples), newest.SampleCount, $"{what}: samples of generation {newest.Generation}");
        float[] old = Values(OldSamples, sign: 1), added = Values(NewSamples, sign: -1);
        for (long i = 0; i < newest.SampleCount; i++)
        {
            using SampleLease s = newest.ReadSample(i);
            float[] expected = i < OldSamples ? old.AsSpan((int)i * Width, Width).ToArray() : added.AsSpan((int)((i - OldSamples) % NewSamples) * Width, Width).ToArray();
            CollectionAssert.AreEqual(expected, s.Get<float>(0).ToArray(), $"{what}: sample {i}");
        }

        for (int g = 1; g < newest.Generation; g++)
        {
            using ShardDataset older = ShardDataset.Open(target, new ShardDatasetOptions { Generation = g });
            Assert.AreEqual(OldSamples + ((g - 1) * (long)NewSamples), older.SampleCount, $"{what}: generation {g}");
            Assert.IsEmpty(older.Verify(), $"{what}: generation {g}");
        }

        return newest.Generation;
    }
}
