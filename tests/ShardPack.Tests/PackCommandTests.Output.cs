using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

/// <summary>Where pack may write: never over its own inputs or the working directory, never over a dataset without --overwrite.</summary>
public sealed partial class PackCommandTests
{
    [TestMethod]
    public void Run_OverwriteOutputIsInputFolder_ExitsTwoAndKeepsEveryFile()
    {
        using var dir = new TempDirectory();
        string p = dir.Combine("p");
        Directory.CreateDirectory(p);
        NpyWriter.Write<int>(Path.Combine(p, "y.npy"), "<i4", [10], new int[10]);
        File.WriteAllText(Path.Combine(p, "notes.txt"), "keep");

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + Path.Combine(p, "y.npy"), "-o", p, "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("y.npy", r.Error);
        Assert.AreEqual("keep", File.ReadAllText(Path.Combine(p, "notes.txt")));
        Assert.IsTrue(File.Exists(Path.Combine(p, "y.npy")));
        Assert.IsEmpty(Directory.GetDirectories(dir.Path, ".p.*"), "no staging directory is left");
    }

    [TestMethod]
    public void Run_OverwriteOutputIsSymlinkToInputFolder_ExitsTwoAndKeepsEveryFile()
    {
        using var dir = new TempDirectory();
        string p = dir.Combine("p");
        Directory.CreateDirectory(p);
        NpyWriter.Write<int>(Path.Combine(p, "y.npy"), "<i4", [10], new int[10]);
        string link = dir.Combine("link");
        Directory.CreateSymbolicLink(link, p);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + Path.Combine(p, "y.npy"), "-o", link, "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(p, "y.npy")));
    }

    [TestMethod]
    public void Run_OverwriteOutputHoldsInputThroughSymlinkedFolder_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string real = dir.Combine("real");
        Directory.CreateDirectory(Path.Combine(real, "in"));
        NpyWriter.Write<int>(Path.Combine(real, "in", "y.npy"), "<i4", [10], new int[10]);
        string link = dir.Combine("link");
        Directory.CreateSymbolicLink(link, real);

        // The input is named through the link, the output by its real path.
        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + Path.Combine(link, "in", "y.npy"), "-o", real, "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(real, "in", "y.npy")));
    }

    [TestMethod]
    public void Run_OutputIsInputFile_ExitsTwoAndKeepsIt()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [10], new int[10]);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", input, "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.AreEqual(128 + 40, new FileInfo(input).Length);
    }

    [TestMethod]
    public void Run_OverwriteOutputHoldsRawInput_ExitsTwo()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("data"));
        string input = dir.Combine("data/train.bin");
        File.WriteAllBytes(input, new byte[64]);

        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", "x:u8:8", "-o", dir.Path, "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("train.bin", r.Error);
        Assert.IsTrue(File.Exists(input));
    }

    [TestMethod]
    public void Run_OverwriteOutputHoldsManifestFolder_ExitsTwo()
    {
        using var dir = new TempDirectory();
        string images = dir.Combine("set/images");
        Directory.CreateDirectory(images);
        File.WriteAllBytes(Path.Combine(images, "a.bin"), [1, 2, 3]);
        string manifest = Path.Combine(images, "m.csv");
        File.WriteAllText(manifest, "path,label\na.bin,1\n");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", manifest, "--path-column", "path", "--field", "label:i32:label", "-o", dir.Combine("set"), "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(images, "a.bin")));
    }

    [TestMethod]
    public void Run_OverwriteOutputIsParentOfWorkingDirectory_ExitsTwoAndKeepsIt()
    {
        using var dir = new TempDirectory();
        using var inputs = new TempDirectory();
        string sub = dir.Combine("sub");
        Directory.CreateDirectory(sub);
        string input = inputs.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [10], new int[10]);
        File.WriteAllText(dir.Combine("notes.txt"), "keep");

        CliResult r = CliProcess.Run(sub, "pack", "--from", "npy", "--field", "y=" + input, "-o", "..", "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("working directory", r.Error);
        Assert.AreEqual("keep", File.ReadAllText(dir.Combine("notes.txt")));
        Assert.IsTrue(Directory.Exists(sub));
    }

    [TestMethod]
    public void Run_OutputExistsWithoutOverwrite_ExitsTwoNamingOverwrite()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [10], new int[10]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", dir.Combine("out"), "-q").ExitCode);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", dir.Combine("out"), "-q");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--overwrite", r.Error);
        Assert.Contains(dir.Combine("out"), r.Error);
    }

    [TestMethod]
    public void Run_OverwriteExistingDatasetBesideInput_Replaces()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("y.npy");
        NpyWriter.Write<int>(input, "<i4", [10], new int[10]);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", dir.Combine("out"), "-q").ExitCode);

        CliResult r = Cli.Run("pack", "--from", "npy", "--field", "y=" + input, "-o", dir.Combine("out"), "--overwrite", "-q");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
    }
}
