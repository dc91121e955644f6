using System.Text;
using ShardStore.Images.Tests.Infrastructure;
using ShardStore.Images.Tests.Transforms.Infrastructure;
using ShardStore.Images.Transforms;
using ShardStore.Transforms;

namespace ShardStore.Images.Tests.Transforms;

/// <summary>A corrupt, truncated or non-image sample is an error naming the sample, shard and chunk, or a counted skip that keeps batch shapes.</summary>
public sealed partial class ImageTransformTests
{
    private const int BadDatasetSamples = 24;

    [TestMethod]
    [DataRow("corrupt")]
    [DataRow("truncated")]
    [DataRow("not an image")]
    [DataRow("empty")]
    [DataRow("too large")]
    public void NextBatch_BadSampleWithThrow_InvalidDataNamingSampleShardAndChunk(string kind)
    {
        const int Bad = 13;
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, BadDataset(new() { [Bad] = kind }), chunkBytes: 8 << 10, shardBytes: 40 << 10));
        (int shard, int chunk, _) = ds.Locate(Bad);
        Assert.IsGreaterThan(0, shard, "the bad sample is not in the first shard");
        using ShardLoader loader = ShardLoader.Create(ds, BadInputOptions(TransformErrorPolicy.Throw));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => LoaderRuns.Drain(loader));

        Assert.Contains($"sample {Bad}", e.Message);
        Assert.Contains($"shard {shard}", e.Message);
        Assert.Contains($"chunk {chunk}", e.Message);
        Assert.Contains("ImageTransform", e.Message);
        Assert.IsInstanceOfType<InvalidDataException>(e.InnerException);
    }

    [TestMethod]
    public void NextBatch_BadSamplesWithSkip_ZeroFilledCountedAndShapesKept()
    {
        var bad = new Dictionary<int, string> { [2] = "corrupt", [9] = "truncated", [15] = "not an image", [20] = "empty" };
        using var dir = new TempDirectory();
        using ShardDataset ds = ShardDataset.Open(ImageDatasets.Write(dir.Path, BadDataset(bad), chunkBytes: 8 << 10, shardBytes: 40 << 10));
        ShardLoaderOptions options = BadInputOptions(TransformErrorPolicy.Skip);
        List<LoadedBatch> batches;
        long skipped;
        using (ShardLoader loader = ShardLoader.Create(ds, options))
        {
            batches = LoaderRuns.Drain(loader);
            skipped = loader.Statistics.SkippedSamples;
        }

        Schema schema = LoaderSchema(ds, options);
        Assert.AreEqual(bad.Count, skipped, "skipped samples counted");
        Assert.AreEqual(BadDatasetSamples, batches.Sum(b => b.Samples.Length), "every sample delivered");
        var seen = new HashSet<long>();
        foreach (LoadedBatch b in batches)
        {
            Assert.HasCount(schema[0].BytesPerSample * b.Samples.Length, b.Fields[0], "image bytes keep the batch shape");
            for (int i = 0; i < b.Samples.Length; i++)
            {
                bool isBad = bad.ContainsKey((int)b.Samples[i]);
                Assert.AreEqual(isBad, b.Skipped.Contains(i), $"sample {b.Samples[i]} listed as skipped");
                bool zero = b.Fields[0].AsSpan(i * schema[0].BytesPerSample, schema[0].BytesPerSample).IndexOfAnyExcept((byte)0) < 0;
                Assert.AreEqual(isBad, zero, $"sample {b.Samples[i]}: zero-filled only when skipped");
                Assert.AreEqual(b.Samples[i] * 7, BitConverter.ToInt64(b.Fields[1], i * 8), $"sample {b.Samples[i]}: label kept");
                seen.Add(b.Samples[i]);
            }
        }

        Assert.HasCount(BadDatasetSamples, seen);
        LoaderRuns.AssertSameBytes(batches, LoaderRuns.Run(ds, options with { DecodeWorkers = 1 }), "one worker, skipping:");
    }

    private static ShardLoaderOptions BadInputOptions(TransformErrorPolicy policy) => new()
    {
        BatchSize = 5,
        Seed = Seed,
        DecodeWorkers = 2,
        TransformErrors = policy,
        Transforms = [new ImageTransform(Options(32, 32) with { Decoder = new ShardStore.Images.Codecs.ImageDecoderOptions { MaxSide = 4000 } })],
    };

    /// <summary>The small committed photographs, repeated, with the samples of <paramref name="bad"/> damaged as named.</summary>
    private static byte[][] BadDataset(Dictionary<int, string> bad)
    {
        byte[][] images = new byte[BadDatasetSamples][];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = SmallFixtures.Read(SmallFixtures.Names[i % SmallFixtures.Names.Count]);
            if (bad.TryGetValue(i, out string? kind))
            {
                images[i] = Damage(SmallFixtures.Read("photo_420.jpg"), kind);
            }
        }

        return images;
    }

    private static byte[] Damage(byte[] jpeg, string kind)
    {
        switch (kind)
        {
            case "corrupt":
                // An end-of-image marker in the middle of the entropy-coded data.
                jpeg[jpeg.Length / 2] = 0xFF;
                jpeg[(jpeg.Length / 2) + 1] = 0xD9;
                return jpeg;
            case "truncated":
                return jpeg[..(jpeg.Length * 2 / 3)];
            case "not an image":
                return Encoding.ASCII.GetBytes("GIF89a is not among the formats; neither is this text.");
            case "empty":
                return [];
            case "too large":
                return ImageBytes.WithJpegSize(jpeg, 5000, 72);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
