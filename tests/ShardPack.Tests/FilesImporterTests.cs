using System.Text;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class FilesImporterTests
{
    [TestMethod]
    public void Run_BinaryMultiClassAndMultiLabel_RoundTripsBytesAndLabels()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("img"));
        var random = new Random(11);
        var files = new List<byte[]>();
        var labels = new List<(byte IsCat, int Class, byte[] Tags)>();
        var manifest = new StringBuilder("path,is_cat,class,tag_a,tag_b\r\n");
        for (int i = 0; i < 400; i++)
        {
            byte[] content = new byte[i % 50 == 0 ? 0 : random.Next(1, 3000)];
            random.NextBytes(content);
            files.Add(content);
            string name = $"img/{i:D4}.bin";
            File.WriteAllBytes(dir.Combine(name), content);
            (byte, int, byte[]) label = ((byte)(i % 2), random.Next(0, 10), [(byte)random.Next(2), (byte)random.Next(2)]);
            labels.Add(label);

            // One absolute path, one path quoted, the rest relative.
            string path = i == 3 ? dir.Combine(name) : i == 4 ? $"\"{name}\"" : name;
            string isCat = i % 7 == 0 ? (label.Item1 == 1 ? "true" : "false") : label.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture);
            manifest.Append($"{path},{isCat},{label.Item2},{label.Item3[0]},{label.Item3[1]}\r\n");
        }

        string manifestPath = dir.Combine("manifest.csv");
        File.WriteAllText(manifestPath, manifest.ToString());
        string output = dir.Combine("out");

        CliResult r = Cli.Run(
            "pack", "--from", "files", "--manifest", manifestPath, "--path-column", "path",
            "--field", "is_cat:u8:is_cat", "--field", "class:i32:class", "--field", "tags:u8:tag_a+tag_b", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        Assert.AreEqual("{data:u8[*], is_cat:u8[], class:i32[], tags:u8[2]}", dataset.Schema.ToString());
        Assert.AreEqual(files.Count, dataset.SampleCount);
        for (int i = 0; i < files.Count; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            if (!sample.Get<byte>(0).SequenceEqual(files[i]))
            {
                Assert.Fail($"sample {i}: data differs from img/{i:D4}.bin");
            }

            Assert.AreEqual(labels[i].IsCat, sample.Get<byte>(1)[0], $"sample {i}");
            Assert.AreEqual(labels[i].Class, sample.Get<int>(2)[0], $"sample {i}");
            CollectionAssert.AreEqual(labels[i].Tags, sample.Get<byte>(3).ToArray(), $"sample {i}");
        }
    }

    [TestMethod]
    public void Run_NoLabelFields_StoresDataOnly()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("a.bin"), [1, 2, 3]);
        File.WriteAllText(dir.Combine("m.csv"), "file\na.bin\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", dir.Combine("m.csv"), "--path-column", "file", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        using SampleLease sample = dataset.ReadSample(0);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, sample.Get<byte>(0).ToArray());
    }

    [TestMethod]
    public void Run_MissingFile_ExitsThreeNamingManifestLineAndPath()
    {
        using var dir = new TempDirectory();
        var manifest = new StringBuilder("path,label\n");
        for (int i = 0; i < 20; i++)
        {
            if (i != 12)
            {
                File.WriteAllBytes(dir.Combine($"f{i}.bin"), [(byte)i]);
            }

            manifest.Append($"f{i}.bin,{i % 2}\n");
        }

        string manifestPath = dir.Combine("manifest.csv");
        File.WriteAllText(manifestPath, manifest.ToString());
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", manifestPath, "--path-column", "path", "--field", "label:u8:label", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{manifestPath}', line 14", r.Error);
        Assert.Contains("'f12.bin'", r.Error);
        Assert.Contains("does not exist", r.Error);
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_BadLabel_ExitsThreeNamingLineAndColumn()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("a.bin"), [1]);
        string manifestPath = dir.Combine("m.csv");
        File.WriteAllText(manifestPath, "path,label\na.bin,1\na.bin,cat\n");
        string output = dir.Combine("out");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", manifestPath, "--path-column", "path", "--field", "label:u8:label", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{manifestPath}', line 3", r.Error);
        Assert.Contains("column 'label'", r.Error);
        Assert.Contains("'cat'", r.Error);
        RawImporterTests.AssertNothingWritten(dir, output);
    }

    [TestMethod]
    public void Run_UnknownPathColumn_ExitsTwoListingColumns()
    {
        using var dir = new TempDirectory();
        string manifestPath = dir.Combine("m.csv");
        File.WriteAllText(manifestPath, "path,label\na.bin,1\n");

        CliResult r = Cli.Run("pack", "--from", "files", "--manifest", manifestPath, "--path-column", "file", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("'file'", r.Error);
        Assert.Contains("'path'", r.Error);
    }

    [TestMethod]
    public void Run_NoManifest_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("pack", "--from", "files", "--path-column", "path", "-o", dir.Combine("out"), "--quiet");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("--manifest", r.Error);
    }
}
