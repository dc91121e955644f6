using System.Globalization;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>The loader releases mapped pages behind the read position, so reading a huge dataset does not grow RSS.</summary>
[TestClass]
public sealed class LoaderResidentMemoryTests
{
    private const int Samples = 3072;
    private const int SampleBytes = 64 << 10;

    [TestMethod]
    [DataRow(SampleOrder.Sequential)]
    [DataRow(SampleOrder.Window)]
    public void Stream_ReleaseConsumedPages_FileBackedRssStaysSmall(SampleOrder order)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("Reads RssFile from /proc/self/status, which only Linux has.");
        }

        using var dir = new TempDirectory();
        Write(dir.Path);
        long kept = MappedGrowth(dir.Path, order, release: false);
        long released = MappedGrowth(dir.Path, order, release: true);

        // 192 MiB in 4 MiB chunks were read. Kept mapped, most of it stays resident; released, only the chunks
        // the loader may hold do: two windows (Window order) or two chunks, plus two per worker, plus slack.
        long chunksHeld = (order == SampleOrder.Window ? 2 * 4 : 2) + (2 * 2) + 2 + 4;
        Assert.IsGreaterThan(128L << 20, kept, $"kept mapped: RssFile grew {kept} bytes");
        Assert.IsLessThan(chunksHeld * (4L << 20), released, $"released: RssFile grew {released} bytes");
    }

    private static long MappedGrowth(string path, SampleOrder order, bool release)
    {
        using ShardDataset dataset = ShardDataset.Open(path, TestData.ReadOptions(ChecksumPolicy.FirstTouch));
        using ShardLoader loader = ShardLoader.Create(dataset, new ShardLoaderOptions
        {
            Order = order,
            BatchSize = 32,
            DecodeWorkers = 2,
            WindowChunks = 4,
            ReleaseConsumedPages = release,
        });
        long before = RssFileBytes();
        long peak = 0;
        long count = 0;
        while (loader.NextBatch() is { } batch)
        {
            using (batch)
            {
                count += batch.Count;
                peak = Math.Max(peak, RssFileBytes() - before);
            }
        }

        Assert.AreEqual(Samples, count);
        return peak;
    }

    private static void Write(string path)
    {
        var schema = new Schema(FieldSpec.Fixed("blob", DType.U8, SampleBytes));
        using DatasetWriter writer = DatasetWriter.Create(path, schema, TestData.Options(chunkBytes: 4 << 20, shardBytes: 64L << 20));
        byte[] blob = new byte[SampleBytes];
        for (int i = 0; i < Samples; i++)
        {
            blob.AsSpan().Fill((byte)i);
            writer.Write<byte>(0, blob);
            writer.EndSample();
        }

        writer.Complete();
    }

    private static long RssFileBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                return long.Parse(line["RssFile:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no RssFile line.");
    }
}
