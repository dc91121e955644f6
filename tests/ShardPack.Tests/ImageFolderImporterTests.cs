using ShardPack.Tests.Infrastructure;
using ShardStore.Images;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class ImageFolderImporterTests
{
    // Ordinal order puts upper case first: torchvision's sorted() gives the same labels.
    private static readonly string[] s_classes = ["Zebra", "ant", "bee"];

    [TestMethod]
    public void Pack_ClassFolders_LabelsFollowOrdinallySortedFolders()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 4);

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual("{image:u8[*], label:i64[], path:u8[*]}", dataset.Schema.ToString());
        Assert.AreEqual(12, dataset.SampleCount);
        foreach ((string path, long label) in ImageTree.PathsAndLabels(dataset))
        {
            Assert.AreEqual(Array.IndexOf(s_classes, path.Split('/')[0]), label, path);
        }

        CollectionAssert.AreEqual(s_classes, ImageFolderMetadata.GetClassNames(dataset)!.ToArray());
        Assert.AreEqual("imagefolder", dataset.Metadata["source.format"]);
        StringAssert.Contains(r.Output, "3 classes (labels 0..2, metadata 'classes'), 12 images", r.ToString());
    }

    [TestMethod]
    public void Pack_ImageBytes_StoredUnchangedByDefault()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 2);
        ImageTree.WritePng(root, "bee/photo.PNG");

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--store-paths", "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            string path = System.Text.Encoding.UTF8.GetString(sample.Get<byte>("path"));
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(root, path)), sample.Get<byte>("image").ToArray(), path);
        }

        Assert.AreEqual("original", dataset.Metadata["image.store"]);
        Assert.AreEqual(string.Empty, r.Output, "--quiet printed a summary");
    }

    [TestMethod]
    public void Pack_NoShuffle_PacksInClassThenPathOrder()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 3);
        ImageTree.WriteJpeg(root, "ant/sub/deeper.jpg");

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--store-paths", "--no-shuffle");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        string[] expected =
        [
            "Zebra/img0.jpg", "Zebra/img1.jpg", "Zebra/img2.jpg",
            "ant/img0.jpg", "ant/img1.jpg", "ant/img2.jpg", "ant/sub/deeper.jpg",
            "bee/img0.jpg", "bee/img1.jpg", "bee/img2.jpg",
        ];
        CollectionAssert.AreEqual(expected, ImageTree.PathsAndLabels(dataset).Select(p => p.Path).ToArray());
    }

    [TestMethod]
    public void Pack_DefaultShuffle_SameSeedByteIdenticalOtherSeedOtherOrder()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 8);
        const string Identity = "0123456789abcdef0123456789abcdef";

        CliResult first = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("a"), "--store-paths", "--identity", Identity);
        CliResult second = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("b"), "--store-paths", "--identity", Identity);
        CliResult seeded = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("c"), "--store-paths", "--shuffle-seed", "7");

        Assert.AreEqual(ExitCodes.Success, first.ExitCode, first.ToString());
        Assert.AreEqual(ExitCodes.Success, second.ExitCode, second.ToString());
        Assert.AreEqual(ExitCodes.Success, seeded.ExitCode, seeded.ToString());
        string[] files = [.. Directory.GetFiles(dir.Combine("a")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        CollectionAssert.AreEqual(files, Directory.GetFiles(dir.Combine("b")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        foreach (string file in files)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.Combine("a"), file)), File.ReadAllBytes(Path.Combine(dir.Combine("b"), file)), file);
        }

        using ShardDataset a = ImageTree.Open(dir.Combine("a"));
        using ShardDataset c = ImageTree.Open(dir.Combine("c"));
        string[] orderA = [.. ImageTree.PathsAndLabels(a).Select(p => p.Path)];
        string[] orderC = [.. ImageTree.PathsAndLabels(c).Select(p => p.Path)];
        string[] sorted = [.. orderA.Order(StringComparer.Ordinal)];
        CollectionAssert.AreNotEqual(sorted, orderA, "the default order is not shuffled");
        CollectionAssert.AreNotEqual(orderA, orderC, "--shuffle-seed 7 gave the order of seed 0");
        CollectionAssert.AreEquivalent(orderA, orderC);
        Assert.IsLessThan(8, LongestSameClassRun(ImageTree.PathsAndLabels(a)), "the shuffle left a whole class together");
    }

    [TestMethod]
    public void Pack_EmptyClassFolder_KeepsItsLabelAndWarns()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 2);
        Directory.CreateDirectory(Path.Combine(root, "aardvark"));

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        CollectionAssert.AreEqual(new[] { "Zebra", "aardvark", "ant", "bee" }, ImageFolderMetadata.GetClassNames(dataset)!.ToArray());
        CollectionAssert.AreEquivalent(new long[] { 0, 0, 2, 2, 3, 3 }, ImageTree.PathsAndLabels(dataset).Select(p => p.Label).ToArray());
        StringAssert.Contains(r.Error, "warning: class 'aardvark' (label 1) has no images", r.ToString());
    }

    [TestMethod]
    public void Pack_OtherExtensionsAndHiddenEntries_IgnoredAndCounted()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 1);
        ImageTree.Write(root, "ant/notes.txt", [1, 2, 3]);
        ImageTree.Write(root, "bee/raw.bmp", [4]);
        ImageTree.WriteJpeg(root, "bee/UPPER.JPEG");
        ImageTree.Write(root, "bee/.hidden.jpg", [0]);
        ImageTree.Write(root, ".ipynb_checkpoints/x.jpg", [0]);
        ImageTree.Write(root, "README.md", [5]);

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual(4, dataset.SampleCount);
        Assert.HasCount(3, ImageFolderMetadata.GetClassNames(dataset)!);
        StringAssert.Contains(r.Output, "ignored 3 files without a .jpg, .jpeg or .png extension", r.ToString());
    }

    [TestMethod]
    [DataRow("ant/broken.jpg", "not a JPEG or PNG")]
    [DataRow("bee/empty.png", "empty")]
    [DataRow("bee/header.jpg", "JPEG")]
    public void Pack_NotAnImage_ExitsBadDataNamingTheFile(string bad, string expected)
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 2);
        byte[] content = bad switch
        {
            "ant/broken.jpg" => "this is text"u8.ToArray(),
            "bee/empty.png" => [],
            _ => [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x4A, 0x46],
        };
        ImageTree.Write(root, bad, content);

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, Path.Combine(root, bad), r.ToString());
        StringAssert.Contains(r.Error, expected, r.ToString());
        StringAssert.Contains(r.Error, "--skip-bad", r.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")), "a failed pack left a dataset");
    }

    [TestMethod]
    public void Pack_DanglingLink_ExitsBadDataNamingTheFile()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 1);
        File.CreateSymbolicLink(Path.Combine(root, "ant", "gone.jpg"), dir.Combine("nowhere.jpg"));

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, Path.Combine(root, "ant", "gone.jpg"), r.ToString());
    }

    [TestMethod]
    public void Pack_UnreadableFile_ExitsBadDataNamingTheFile()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            Assert.Inconclusive("File permissions cannot make a file unreadable here (Windows, or running as root).");
            return;
        }

        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 1);
        string locked = ImageTree.WriteJpeg(root, "bee/locked.jpg");
        File.SetUnixFileMode(locked, UnixFileMode.None);

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, locked, r.ToString());
        StringAssert.Contains(r.Error, "cannot be read", r.ToString());
    }

    [TestMethod]
    public void Pack_SkipBad_LeavesOutCountsAndListsBadFiles()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 3);
        ImageTree.Write(root, "ant/broken.jpg", "text"u8.ToArray());
        ImageTree.Write(root, "bee/cut.png", File.ReadAllBytes(ImageTree.WritePng(root, "bee/whole.png"))[..20]);
        File.CreateSymbolicLink(Path.Combine(root, "Zebra", "gone.jpg"), dir.Combine("nowhere.jpg"));

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--skip-bad", "--store-paths");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual(10, dataset.SampleCount);
        Assert.IsFalse(ImageTree.PathsAndLabels(dataset).Any(p => p.Path.Contains("broken", StringComparison.Ordinal) || p.Path.Contains("cut", StringComparison.Ordinal)));
        StringAssert.Contains(r.Error, "warning: skipped 3 bad files (--skip-bad)", r.ToString());
        StringAssert.Contains(r.Error, "'ant/broken.jpg'", r.ToString());
        StringAssert.Contains(r.Error, "'bee/cut.png'", r.ToString());
        StringAssert.Contains(r.Error, "'Zebra/gone.jpg'", r.ToString());
    }

    [TestMethod]
    public void Pack_InputAsOptionOrArgument_SameDataset()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 2);

        CliResult a = Cli.Run("pack", "--from", "imagefolder", "--input", root, "-o", dir.Combine("a"), "--identity", "0123456789abcdef0123456789abcdef");
        CliResult b = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("b"), "--identity", "0123456789abcdef0123456789abcdef");

        Assert.AreEqual(ExitCodes.Success, a.ExitCode, a.ToString());
        Assert.AreEqual(ExitCodes.Success, b.ExitCode, b.ToString());
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.Combine("a"), "manifest.json")), File.ReadAllBytes(Path.Combine(dir.Combine("b"), "manifest.json")));
    }

    [TestMethod]
    [DataRow("--max-side applies to --from imagefolder and --from files", "--from", "npy", "--field", "a=x.npy", "--max-side", "64")]
    [DataRow("--skip-bad applies to --from imagefolder", "--from", "files", "--manifest", "m.csv", "--path-column", "p", "--skip-bad")]
    [DataRow("contradict", "--from", "imagefolder", "TREE", "--shuffle-seed", "3", "--no-shuffle")]
    [DataRow("--shuffle-seed '-1'", "--from", "imagefolder", "TREE", "--shuffle-seed", "-1")]
    [DataRow("--max-side 0", "--from", "imagefolder", "TREE", "--max-side", "0")]
    [DataRow("--jpeg-quality 101", "--from", "imagefolder", "TREE", "--jpeg-quality", "101")]
    [DataRow("--store 'png'", "--from", "imagefolder", "TREE", "--store", "png")]
    [DataRow("given twice", "--from", "imagefolder", "TREE", "--input", "TREE")]
    [DataRow("does not exist", "--from", "imagefolder", "MISSING")]
    [DataRow("needs the folder", "--from", "imagefolder")]
    public void Pack_WrongImageOptions_ExitsInvalidArguments(string expected, params string[] options)
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 1);
        string[] resolved = [.. options.Select(o => o == "TREE" ? root : o == "MISSING" ? dir.Combine("missing") : o)];

        CliResult r = Cli.Run(["pack", .. resolved, "-o", dir.Combine("out")]);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, expected, r.ToString());
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Pack_FolderWithoutClassFolders_ExitsInvalidArguments()
    {
        using var dir = new TempDirectory();
        ImageTree.WriteJpeg(dir.Path, "flat/a.jpg");
        string flat = dir.Combine("flat");
        ImageTree.WriteJpeg(flat, "b.jpg");

        CliResult r = Cli.Run("pack", "--from", "imagefolder", flat, "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "no class folders", r.ToString());
    }

    [TestMethod]
    public void Info_ImageFolderDataset_ShowsClassNamesInTextAndJson()
    {
        using var dir = new TempDirectory();
        string root = WriteTree(dir, perClass: 1);
        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--quiet").ExitCode);

        CliResult text = Cli.Run("info", dir.Combine("out"));
        CliResult json = Cli.Run("info", dir.Combine("out"), "--json");

        Assert.AreEqual(ExitCodes.Success, text.ExitCode, text.ToString());
        StringAssert.Contains(text.Output, "classes   3: 0 Zebra, 1 ant, 2 bee", text.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        CollectionAssert.AreEqual(s_classes, document.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual("""["Zebra","ant","bee"]""", document.RootElement.GetProperty("metadata").GetProperty("classes").GetString());
    }

    [TestMethod]
    public void Pack_ClassNamesBeyondBmp_SortedByCodePointAsPython()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("tree");
        // UTF-16 ordinal order puts the emoji (a surrogate pair, 0xD83D...) before U+FB01; Python's sorted() does not.
        string[] classes = ["b", "\U0001F600", "\uFB01", "B"];
        foreach (string name in classes)
        {
            ImageTree.WriteJpeg(root, $"{name}/x.jpg");
        }

        CliResult r = Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        CollectionAssert.AreEqual(new[] { "B", "b", "\uFB01", "\U0001F600" }, ImageFolderMetadata.GetClassNames(dataset)!.ToArray());
    }

    [TestMethod]
    public void Info_ManyClasses_ShowsTheFirstTwentyAndCountsTheRest()
    {
        using var dir = new TempDirectory();
        string root = dir.Combine("tree");
        for (int c = 0; c < 25; c++)
        {
            ImageTree.WriteJpeg(root, $"c{c:D2}/x.jpg");
        }

        Assert.AreEqual(ExitCodes.Success, Cli.Run("pack", "--from", "imagefolder", root, "-o", dir.Combine("out"), "--quiet").ExitCode);

        CliResult r = Cli.Run("info", dir.Combine("out"));

        StringAssert.Contains(r.Output, "classes   25: 0 c00, 1 c01,", r.ToString());
        StringAssert.Contains(r.Output, "19 c19, ... (5 more)", r.ToString());
    }

    // Writes TREE/CLASS/imgN.jpg for every class, each image distinct; returns TREE.
    private static string WriteTree(TempDirectory dir, int perClass)
    {
        string root = dir.Combine("tree");
        for (int c = 0; c < s_classes.Length; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                ImageTree.WriteJpeg(root, $"{s_classes[c]}/img{i}.jpg", seed: (c * 100) + i);
            }
        }

        return root;
    }

    private static int LongestSameClassRun(List<(string Path, long Label)> samples)
    {
        int longest = 0, run = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            run = i > 0 && samples[i].Label == samples[i - 1].Label ? run + 1 : 1;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
