using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

// Rows naming files outside the manifest's folder, special files, and files whose reported size is not their content.
public sealed partial class FilesImporterTests
{
    [TestMethod]
    [DataRow("../secret.bin")]
    [DataRow("img/../../secret.bin")]
    [DataRow("ABSOLUTE")]
    public void Run_PathLeavingFolder_ExitsThreeNamingManifestLine(string row)
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, row == "ABSOLUTE" ? dir.Combine("secret.bin") : row);

        CliResult r = PackFiles(manifest, output);

        AssertRefused(r, manifest, "outside the manifest's folder");
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_SymlinkLeavingFolder_ExitsThree()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "link.bin");
        SpecialFiles.CreateSymbolicLink(dir.Combine("data/link.bin"), "../secret.bin");

        CliResult r = PackFiles(manifest, output);

        AssertRefused(r, manifest, "outside the manifest's folder");
    }

    [TestMethod]
    public void Run_SymlinkedFolderLeavingFolder_ExitsThree()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "elsewhere/secret.bin");
        SpecialFiles.CreateSymbolicLink(dir.Combine("data/elsewhere"), dir.Path, directory: true);

        CliResult r = PackFiles(manifest, output);

        AssertRefused(r, manifest, "outside the manifest's folder");
    }

    [TestMethod]
    public void Run_SymlinkInsideFolder_PacksTarget()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "link.bin");
        File.WriteAllBytes(dir.Combine("data/inside.bin"), [7, 8]);
        SpecialFiles.CreateSymbolicLink(dir.Combine("data/link.bin"), "inside.bin");

        CliResult r = PackFiles(manifest, output);

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(new byte[] { 7, 8 }, ReadData(output, 0));
    }

    [TestMethod]
    public void Run_AllowOutsidePaths_PacksFileOutsideFolder()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "../secret.bin");

        CliResult r = PackFiles(manifest, output, "--allow-outside-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, ReadData(output, 0));
    }

    [TestMethod]
    public void Run_FifoRow_ExitsThreeWithoutBlocking()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "pipe");
        string fifo = dir.Combine("data/pipe");
        SpecialFiles.CreateFifo(fifo);

        CliResult r = SpecialFiles.RunWithoutBlocking(fifo, () => PackFiles(manifest, output));

        AssertRefused(r, manifest, "FIFO");
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_DirectoryRow_ExitsThree()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "sub");
        Directory.CreateDirectory(dir.Combine("data/sub"));

        CliResult r = PackFiles(manifest, output);

        AssertRefused(r, manifest, "directory");
    }

    [TestMethod]
    public void Run_FileReportingZeroSize_ReadsToEnd()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("/proc files that report size 0 are a Linux feature.");
        }

        // /proc/self/cmdline reports size 0 but has content; the file is read to its end, not to its reported size.
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "/proc/self/cmdline");
        byte[] expected = File.ReadAllBytes("/proc/self/cmdline");
        Assert.AreEqual(0L, new FileInfo("/proc/self/cmdline").Length);
        Assert.IsNotEmpty(expected);

        CliResult r = PackFiles(manifest, output, "--allow-outside-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        CollectionAssert.AreEqual(expected, ReadData(output, 0));
    }

    [TestMethod]
    public void Run_FileAboveRecordLimit_ExitsThreeNamingLimit()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "big.bin");
        File.WriteAllBytes(dir.Combine("data/big.bin"), new byte[5000]);

        CliResult r = PackFiles(manifest, output, "--max-record-bytes", "4K");

        AssertRefused(r, manifest, "4096-byte limit");
    }

    [TestMethod]
    public void Run_SparseFileOver2GiB_ExitsThreeWithoutOverflow()
    {
        using var dir = new TempDirectory();
        (string manifest, string output) = Layout(dir, "huge.bin");
        using (FileStream f = File.Create(dir.Combine("data/huge.bin")))
        {
            f.SetLength((2L << 30) + 12345);
        }

        CliResult r = PackFiles(manifest, output);

        AssertRefused(r, manifest, "--max-record-bytes");
    }

    // dir/secret.bin outside, dir/data/m.csv the manifest with one row naming the given path.
    private static (string Manifest, string Output) Layout(TempDirectory dir, string row)
    {
        Directory.CreateDirectory(dir.Combine("data"));
        File.WriteAllBytes(dir.Combine("secret.bin"), [1, 2, 3]);
        string manifest = dir.Combine("data/m.csv");
        File.WriteAllText(manifest, $"path\n{row}\n");
        return (manifest, dir.Combine("out"));
    }

    private static CliResult PackFiles(string manifest, string output, params string[] extra) =>
        Cli.Run(["pack", "--from", "files", "--manifest", manifest, "--path-column", "path", "-o", output, "--quiet", .. extra]);

    private static void AssertRefused(CliResult r, string manifest, string reason)
    {
        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{manifest}', line 2", r.Error);
        Assert.Contains(reason, r.Error);
    }

    private static byte[] ReadData(string output, long index)
    {
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        using SampleLease sample = dataset.ReadSample(index);
        return sample.Get<byte>(0).ToArray();
    }
}
