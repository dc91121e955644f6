using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// A failure at any one mutating file-system call of a pack surfaces as an exception (or, for the removal of the
/// replaced dataset after publishing, is left to the next writer), leaves the target holding exactly the old or
/// exactly the new dataset, and the next writer for the target leaves nothing else beside it.
/// </summary>
[TestClass]
public sealed class DatasetWriterFaultInjectionTests
{
    private const long OldSamples = 60;
    private const long NewSamples = 25;

    [TestMethod]
    [DataRow(false, true, DisplayName = "new target")]
    [DataRow(true, true, DisplayName = "overwrite, atomic exchange")]
    [DataRow(true, false, DisplayName = "overwrite, two renames")]
    [DataRow(false, false, DisplayName = "empty target, two renames")]
    public void Pack_FailureAtEveryFileSystemCall_TargetHoldsOldOrNewAndNextPackSweeps(bool existing, bool exchange)
    {
        int total;
        using (var dir = new TempDirectory())
        {
            string target = dir.Combine("ds");
            Prepare(target, existing, exchange);
            var counting = new FaultInjectingFileSystem(0, exchange);
            Pack(target, NewSamples, counting);
            total = counting.Calls;
            AssertHolds(target, NewSamples);
            Assert.HasCount(1, Directory.GetFileSystemEntries(dir.Path));
        }

        Assert.IsGreaterThan(20, total, "a pack makes enough calls for the test to mean something");
        for (int k = 1; k <= total; k++)
        {
            using var dir = new TempDirectory();
            string target = dir.Combine("ds");
            Prepare(target, existing, exchange);
            var fs = new FaultInjectingFileSystem(k, exchange);
            Exception? thrown = null;
            try
            {
                Pack(target, NewSamples, fs);
            }
            catch (Exception e)
            {
                thrown = e;
            }

            string context = $"failure at call {k} of {total} ({fs.FailedOperation}):\n{string.Join('\n', fs.Log)}\n{thrown}";
            Assert.IsNotNull(fs.FailedOperation, context);
            if (thrown is null)
            {
                // Only removing the replaced dataset after publishing is allowed to fail quietly.
                Assert.IsTrue(fs.FailedOperation is "delete-file" or "delete-directory", context);
                AssertHolds(target, NewSamples);
            }
            else
            {
                Assert.IsInstanceOfType<IOException>(thrown, context);
                Assert.Contains("injected failure", thrown.Message, context);
                long held = HeldSamples(target, context);
                Assert.IsTrue(held == NewSamples || held == (existing ? OldSamples : -1), context + $"\nheld {held}");
            }

            // The next pack, with nothing failing, cleans up after the failed one.
            Pack(target, NewSamples + 1, new FaultInjectingFileSystem(0, exchange));
            AssertHolds(target, NewSamples + 1);
            CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(dir.Path), context);
        }
    }

    private static void Prepare(string target, bool existing, bool exchange)
    {
        if (existing)
        {
            Pack(target, OldSamples, new FaultInjectingFileSystem(0, exchange));
        }
        else if (!exchange)
        {
            Directory.CreateDirectory(target);
        }
    }

    private static void Pack(string target, long count, FaultInjectingFileSystem fs)
    {
        var options = new DatasetWriterOptions
        {
            ChunkTargetBytes = 512,
            ShardTargetBytes = 4 << 10,
            Threads = 2,
            Overwrite = true,
            FileSystem = fs,
        };
        using DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, options);
        TestData.WriteMixedSamples(writer, 0, count);

        writer.Complete();
    }

    /// <summary>Returns the sample count of the verified dataset at the target, or -1 when there is none (no directory, or an empty one).</summary>
    private static long HeldSamples(string target, string context)
    {
        if (!Directory.Exists(target) || Directory.GetFileSystemEntries(target).Length == 0)
        {
            return -1;
        }

        using ShardDataset ds = ShardDataset.Open(target, TestData.ReadOptions());
        Assert.IsEmpty(ds.Verify(), context);
        for (long i = 0; i < ds.SampleCount; i++)
        {
            using SampleLease s = ds.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }

        return ds.SampleCount;
    }

    private static void AssertHolds(string target, long count) => Assert.AreEqual(count, HeldSamples(target, target));
}
