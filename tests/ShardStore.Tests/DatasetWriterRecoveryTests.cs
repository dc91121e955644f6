using System.Diagnostics;
using ShardStore.Format;
using ShardStore.Internals.Publishing;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// What a writer that died left beside its target (a staging directory, a replaced dataset set aside) is put back
/// or deleted by the next writer for that target, and a missing target is put back by the next open; what a live
/// writer holds is never touched; cancellation deletes what was written.
/// </summary>
[TestClass]
public sealed class DatasetWriterRecoveryTests
{
    // This process's id with another start time: a writer that ran under a reused process id and is gone.
    private static readonly WriterOwner s_deadOwner = WriterOwner.Current with { StartTime = WriterOwner.Current.StartTime + 1 };

    [TestMethod]
    public void Create_TargetMissingWithDeadWritersSetAsideDataset_RestoresItAndDeletesStaging()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        SimulateKillBetweenRenames(dir, target, s_deadOwner);

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, Options(overwrite: true)))
        {
            // Restored before the writer starts, so an abandoned pack leaves the old dataset in place.
            TestData.AssertMixedDataset(target, 40);
        }

        TestData.AssertMixedDataset(target, 40);
        CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Open_TargetMissingWithDeadWritersSetAsideDataset_RestoresIt()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        SimulateKillBetweenRenames(dir, target, s_deadOwner);

        TestData.AssertMixedDataset(target, 40);
        Assert.IsTrue(Directory.Exists(target));
    }

    [TestMethod]
    public void Open_TargetMissingWithoutLeftovers_ThrowsDirectoryNotFound()
    {
        using var dir = new TempDirectory();

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => ShardDataset.Open(dir.Combine("ds"), TestData.ReadOptions()));
    }

    [TestMethod]
    public void Complete_TargetPresentWithDeadWritersLeftovers_DeletesThemAndKeepsOthers()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 30, Options(overwrite: false));
        string deadOld = CopyDataset(target, LeftoverPath(dir, "old", s_deadOwner));
        string deadPartial = CopyDataset(target, LeftoverPath(dir, "partial", s_deadOwner));
        string withStray = CopyDataset(target, LeftoverPath(dir, "partial", s_deadOwner));
        File.WriteAllText(Path.Combine(withStray, "notes.txt"), "not the writer's");
        string otherShape = Directory.CreateDirectory(dir.Combine(".ds.partial-mine")).FullName;
        string otherDataset = Directory.CreateDirectory(dir.Combine(".other.partial-" + s_deadOwner + "-0a0b")).FullName;

        TestData.WriteMixed(target, 12, Options(overwrite: true));

        TestData.AssertMixedDataset(target, 12);
        Assert.IsFalse(Directory.Exists(deadOld));
        Assert.IsFalse(Directory.Exists(deadPartial));
        CollectionAssert.AreEqual(new[] { "notes.txt" }, Directory.GetFileSystemEntries(withStray).Select(Path.GetFileName).ToArray(), "only the writer's own files go");
        Assert.IsTrue(Directory.Exists(otherShape));
        Assert.IsTrue(Directory.Exists(otherDataset));
    }

    [TestMethod]
    public void Create_LeftoverOfLiveProcess_LeavesIt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Inconclusive("needs a POSIX 'sleep' to stand for another live writer");
        }

        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            WriterOwner live = WriterOwner.TryGet(other.Id) ?? throw new AssertFailedException("the child process is not visible");
            Assert.IsTrue(live.IsProcessAlive());
            TestData.WriteMixed(target, 30, Options(overwrite: false));
            string partial = CopyDataset(target, LeftoverPath(dir, "partial", live));
            string old = CopyDataset(target, LeftoverPath(dir, "old", live));

            TestData.WriteMixed(target, 12, Options(overwrite: true));

            TestData.AssertMixedDataset(target, 12);
            Assert.IsTrue(File.Exists(Path.Combine(partial, FormatConstants.ManifestFileName)));
            Assert.IsTrue(File.Exists(Path.Combine(old, FormatConstants.ManifestFileName)));

            // Once that process is gone, its leftovers are a dead writer's.
            other.Kill();
            other.WaitForExit();
            Assert.IsFalse(live.IsProcessAlive());
            TestData.WriteMixed(target, 13, Options(overwrite: true));
            CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(dir.Path));
        }
        finally
        {
            if (!other.HasExited)
            {
                other.Kill();
            }
        }
    }

    [TestMethod]
    public void Create_AnotherWriterForSameTargetRunning_LeavesItsStaging()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        using DatasetWriter first = DatasetWriter.Create(target, TestData.MixedSchema, Options(overwrite: true));
        TestData.WriteMixedSamples(first, 0, 20);
        string staging = Assert.ContainsSingle(Directory.GetDirectories(dir.Path, ".ds.partial-*"));

        TestData.WriteMixed(target, 5, Options(overwrite: true));
        Assert.IsTrue(Directory.Exists(staging));

        first.Complete();
        TestData.AssertMixedDataset(target, 20);
        CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(dir.Path));
    }

    [TestMethod]
    public void Complete_Cancelled_ThrowsAndDeletesStagingAndKeepsOld()
    {
        using var dir = new TempDirectory();
        string target = dir.Combine("ds");
        TestData.WriteMixed(target, 30, Options(overwrite: false));
        using var cancel = new CancellationTokenSource();

        using (DatasetWriter writer = DatasetWriter.Create(target, TestData.MixedSchema, Options(overwrite: true)))
        {
            TestData.WriteMixedSamples(writer, 0, 50);
            cancel.Cancel();

            Assert.ThrowsExactly<OperationCanceledException>(() => writer.Complete(cancel.Token));

            // Deleted at once, not only when the writer is disposed.
            CollectionAssert.AreEqual(new[] { target }, Directory.GetFileSystemEntries(dir.Path));
        }

        TestData.AssertMixedDataset(target, 30);
    }

    [TestMethod]
    public void Create_StagingDirectoryCannotBeCreated_ThrowsAndLeavesNothing()
    {
        // Call 1 creates the parent, call 2 the staging directory.
        using var dir = new TempDirectory();
        var fs = new FaultInjectingFileSystem(2);

        Assert.ThrowsExactly<IOException>(() => DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, new DatasetWriterOptions { FileSystem = fs }));

        Assert.AreEqual("create-directory", fs.FailedOperation);
        Assert.IsEmpty(Directory.GetFileSystemEntries(dir.Path));
    }

    // The state a writer killed between its two renames leaves: the old dataset set aside, the new one complete in staging.
    private static void SimulateKillBetweenRenames(TempDirectory dir, string target, WriterOwner owner)
    {
        TestData.WriteMixed(target, 40, Options(overwrite: false));
        string staging = dir.Combine($".ds.partial-{owner}-00000000000a");
        TestData.WriteMixed(staging, 7, Options(overwrite: false));
        Directory.Move(target, dir.Combine($".ds.old-{owner}-00000000000b"));
    }

    private static string LeftoverPath(TempDirectory dir, string tag, WriterOwner owner) =>
        dir.Combine($".ds.{tag}-{owner}-{Guid.NewGuid().ToString("N")[..12]}");

    private static string CopyDataset(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        return destination;
    }

    private static DatasetWriterOptions Options(bool overwrite) => new()
    {
        ChunkTargetBytes = 512,
        ShardTargetBytes = 4 << 10,
        Threads = 2,
        Overwrite = overwrite,
    };
}
