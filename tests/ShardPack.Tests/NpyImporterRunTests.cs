using System.Buffers.Binary;
using ShardPack.Commands;
using ShardPack.Importers;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardPack.Tests;

/// <summary>The npy importer reads runs of samples straight into the writer's chunks; the files match writing sample by sample.</summary>
[TestClass]
public sealed class NpyImporterRunTests
{
    [TestMethod]
    [DataRow("lz4", "1K", "16K")]
    [DataRow("none", "4K", "16K")]
    [DataRow("zstd", "64", "8K")]
    public void Pack_ManyChunksAndShards_SameFilesAsSampleBySample(string codec, string chunkSize, string shardSize)
    {
        using var dir = new TempDirectory();
        const int Samples = 2000;
        byte[] images = new byte[Samples * 6 * 4];
        new Random(7).NextBytes(images);
        int[] labels = [.. Enumerable.Range(0, Samples).Select(i => (i * 7919) - 5000)];
        byte[] labelsBigEndian = new byte[Samples * 4];
        for (int i = 0; i < Samples; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(labelsBigEndian.AsSpan(i * 4), labels[i]);
        }

        NpyWriter.Write(dir.Combine("image.npy"), "<f4", [Samples, 2, 3], images);
        NpyWriter.Write(dir.Combine("label.npy"), ">i4", [Samples], labelsBigEndian);

        CliResult r = Cli.Run(
            "pack", "--from", "npy", "--field", "image=" + dir.Combine("image.npy"), "--field", "label=" + dir.Combine("label.npy"),
            "-o", dir.Combine("packed"), "--codec", codec, "--chunk-size", chunkSize, "--shard-size", shardSize, "--threads", "2", "-q");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());

        Assert.IsTrue(CodecNames.TryParse(codec, out CodecKind kind));

        // Every pack gets a random identity; the expected pack takes the same one, so the files can be compared.
        string? identity;
        using (ShardDataset packed = ShardDataset.Open(dir.Combine("packed"), new ShardDatasetOptions { Codecs = NativeCodecs.Provider }))
        {
            identity = packed.Identity;
        }

        var options = new DatasetWriterOptions
        {
            Identity = identity,
            Codec = kind,
            Codecs = NativeCodecs.Provider,
            ChunkTargetBytes = (int)PackCommandSize(chunkSize),
            ShardTargetBytes = PackCommandSize(shardSize),
            Threads = 1,
            Metadata = new Dictionary<string, string> { ["source.format"] = "npy" },
        };
        var schema = new Schema(FieldSpec.Fixed("image", DType.F32, 2, 3), FieldSpec.Fixed("label", DType.I32));
        using (DatasetWriter writer = DatasetWriter.Create(dir.Combine("expected"), schema, options))
        {
            for (int i = 0; i < Samples; i++)
            {
                writer.Write<byte>(0, images.AsSpan(i * 24, 24));
                writer.WriteScalar(1, labels[i]);
                writer.EndSample();
            }

            writer.Complete();
        }

        string[] expected = [.. Directory.GetFiles(dir.Combine("expected")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        string[] actual = [.. Directory.GetFiles(dir.Combine("packed")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        CollectionAssert.AreEqual(expected, actual);
        Assert.IsGreaterThan(2, actual.Length, "several shards");
        foreach (string f in expected)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(dir.Combine("expected"), f)), File.ReadAllBytes(Path.Combine(dir.Combine("packed"), f)), f);
        }
    }

    [TestMethod]
    public void Pack_ShuffleSeed_KeepsEachRowsFieldsTogetherInAShuffledOrder()
    {
        using var dir = new TempDirectory();
        const int Samples = 1500;
        float[] images = [.. Enumerable.Range(0, Samples * 6).Select(i => (float)i)];
        byte[] labelsBigEndian = new byte[Samples * 4];
        for (int i = 0; i < Samples; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(labelsBigEndian.AsSpan(i * 4), i);
        }

        NpyWriter.Write<float>(dir.Combine("image.npy"), "<f4", [Samples, 2, 3], images);
        NpyWriter.Write(dir.Combine("label.npy"), ">i4", [Samples], labelsBigEndian);

        CliResult r = Cli.Run(
            "pack", "--from", "npy", "--field", "image=" + dir.Combine("image.npy"), "--field", "label=" + dir.Combine("label.npy"),
            "-o", dir.Combine("packed"), "--chunk-size", "2K", "--shuffle-seed", "99", "-q");
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());

        using ShardDataset packed = ShardDataset.Open(dir.Combine("packed"), new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        int[] order = new int[Samples];
        for (int i = 0; i < Samples; i++)
        {
            using SampleLease sample = packed.ReadSample(i);
            order[i] = sample.Get<int>(1)[0];
            CollectionAssert.AreEqual(images.AsSpan(order[i] * 6, 6).ToArray(), sample.Get<float>(0).ToArray(), $"sample {i}: the image of row {order[i]}");
        }

        CollectionAssert.AreEquivalent(Enumerable.Range(0, Samples).ToArray(), order, "every row once");
        Assert.IsGreaterThan(Samples * 9 / 10, order.Where((row, i) => row != i).Count(), "rows moved from their input place");
    }

    [TestMethod]
    public void WriteSamples_FileGrownAfterOpen_ThrowsInsteadOfDroppingRows()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("x.npy");
        NpyWriter.Write<int>(path, "<i4", [3], new[] { 1, 2, 3 });
        using IImporter importer = NpyImporter.Create(new PackArguments { From = "npy", Fields = [$"x={path}"] });
        using (FileStream append = new(path, FileMode.Append))
        {
            append.Write(new byte[4]);
        }

        var options = new DatasetWriterOptions { Codec = CodecKind.None, Codecs = NativeCodecs.Provider };
        using DatasetWriter writer = DatasetWriter.Create(dir.Combine("out"), importer.Schema, options);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => importer.WriteSamples(writer, new PackProgress(), CancellationToken.None));

        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains("changed while packing", e.Message);
    }

    private static long PackCommandSize(string text) => SharedOptions.ParseSize(text, "--size");
}
