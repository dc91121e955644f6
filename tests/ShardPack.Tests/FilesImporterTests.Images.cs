using ShardPack.Tests.Infrastructure;
using ShardStore.Images.Codecs;

namespace ShardPack.Tests;

// --store and --max-side with --from files.
public sealed partial class FilesImporterTests
{
    [TestMethod]
    public void Run_StoreRawWithMaxSide_DecodesResizesAndKeepsLabels()
    {
        using var dir = new TempDirectory();
        ImageTree.WriteJpeg(dir.Path, "img/wide.jpg", 200, 100, seed: 1);
        ImageTree.WriteJpeg(dir.Path, "img/small.jpg", 30, 20, seed: 2);
        File.WriteAllText(dir.Combine("m.csv"), "path,class\nimg/wide.jpg,4\nimg/small.jpg,9\n");

        CliResult r = Cli.Run(
            "pack", "--from", "files", "--manifest", dir.Combine("m.csv"), "--path-column", "path", "--field", "class:i32:class",
            "--store", "raw", "--max-side", "50", "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Output, "resized 1 images to at most 50 pixels a side", r.ToString());
        using ShardDataset dataset = ImageTree.Open(dir.Combine("out"));
        Assert.AreEqual("{data:u8[*], class:i32[], height:i32[], width:i32[]}", dataset.Schema.ToString());
        Assert.AreEqual("raw", dataset.Metadata["image.store"]);
        using (SampleLease wide = dataset.ReadSample(0))
        {
            Assert.AreEqual((4, 25, 50), (wide.Get<int>("class")[0], wide.Get<int>("height")[0], wide.Get<int>("width")[0]));
            Assert.AreEqual(50 * 25 * 3, wide.Get<byte>("data").Length);
        }

        using SampleLease small = dataset.ReadSample(1);
        Assert.AreEqual((9, 20, 30), (small.Get<int>("class")[0], small.Get<int>("height")[0], small.Get<int>("width")[0]));
        byte[] expected = new byte[30 * 20 * 3];
        using var decoder = new ImageDecoder();
        decoder.Decode(File.ReadAllBytes(dir.Combine("img/small.jpg")), expected);
        CollectionAssert.AreEqual(expected, small.Get<byte>("data").ToArray());
    }

    [TestMethod]
    public void Run_MaxSideWithNonImage_ExitsThreeNamingLineAndFile()
    {
        using var dir = new TempDirectory();
        ImageTree.WriteJpeg(dir.Path, "a.jpg");
        File.WriteAllText(dir.Combine("b.jpg"), "not an image");
        File.WriteAllText(dir.Combine("m.csv"), "path\na.jpg\nb.jpg\n");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", dir.Combine("m.csv"), "--path-column", "path", "--max-side", "16", "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "line 3", r.ToString());
        StringAssert.Contains(r.Error, "'b.jpg' is not a valid image", r.ToString());
    }
}
