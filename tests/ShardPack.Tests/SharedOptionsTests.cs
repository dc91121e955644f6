using System.CommandLine;
using ShardPack.Commands;
using ShardStore.Compression;
using ShardStore.Storage;

namespace ShardPack.Tests;

/// <summary>The options shardpack shares with the benchmark runner: their defaults and how their values are read and refused.</summary>
[TestClass]
public sealed class SharedOptionsTests
{
    [TestMethod]
    [DataRow("4194304", 4194304L)]
    [DataRow("4M", 4L << 20)]
    [DataRow("64k", 64L << 10)]
    [DataRow("1GiB", 1L << 30)]
    [DataRow("2GB", 2L << 30)]
    public void ParseSize_Units_ReturnsBytes(string text, long expected) => Assert.AreEqual(expected, SharedOptions.ParseSize(text, "--x"));

    [TestMethod]
    [DataRow("")]
    [DataRow("-4M")]
    [DataRow("4Q")]
    [DataRow("0")]
    [DataRow("1.5G")]
    public void ParseSize_Invalid_ThrowsUsageNamingTheOption(string text)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => SharedOptions.ParseSize(text, "--x"));

        StringAssert.Contains(e.Message, $"--x '{text}'");
    }

    [TestMethod]
    public void Getters_NothingGiven_ReturnDefaults()
    {
        var (codec, chunkSize, threads, order, batchSize, epochs) = (SharedOptions.Codec(), SharedOptions.ChunkSize(), SharedOptions.Threads(), SharedOptions.Order(), SharedOptions.BatchSize(), SharedOptions.Epochs("Passes."));
        var (readMode, directIo) = (SharedOptions.ReadMode(), SharedOptions.DirectIo());
        ParseResult r = new Command("test") { codec, chunkSize, threads, order, batchSize, epochs, readMode, directIo }.Parse([]);

        Assert.IsEmpty(r.Errors);
        Assert.AreEqual(CodecKind.Lz4, SharedOptions.GetCodec(r, codec));
        Assert.AreEqual(4 << 20, SharedOptions.GetChunkBytes(r, chunkSize));
        Assert.AreEqual(Environment.ProcessorCount, SharedOptions.GetThreads(r, threads));
        Assert.AreEqual(SampleOrder.Window, SharedOptions.GetOrder(r, order));
        Assert.AreEqual(256, SharedOptions.GetBatchSize(r, batchSize));
        Assert.IsNull(SharedOptions.GetEpochs(r, epochs), "no default: the command decides");
        Assert.AreEqual(ShardReadMode.Auto, SharedOptions.ParseReadMode(r.GetValue(readMode)!));
        Assert.IsFalse(r.GetValue(directIo));
    }

    [TestMethod]
    public void Getters_GivenValues_ReturnThem()
    {
        var (codec, chunkSize, threads, order, batchSize, epochs) = (SharedOptions.Codec(), SharedOptions.ChunkSize(), SharedOptions.Threads(), SharedOptions.Order(), SharedOptions.BatchSize(), SharedOptions.Epochs("Passes.", defaultValue: 1));
        ParseResult r = new Command("test") { codec, chunkSize, threads, order, batchSize, epochs }
            .Parse(["--codec", "ZSTD", "--chunk-size", "3G", "--threads", "3", "--order", "Random", "--batch-size", "7", "--epochs", "5"]);

        Assert.AreEqual(CodecKind.Zstd, SharedOptions.GetCodec(r, codec));
        Assert.AreEqual(DatasetWriterOptions.MaxChunkTargetBytes, SharedOptions.GetChunkBytes(r, chunkSize), "clamped to what the writer takes");
        Assert.AreEqual(3, SharedOptions.GetThreads(r, threads));
        Assert.AreEqual(SampleOrder.Random, SharedOptions.GetOrder(r, order));
        Assert.AreEqual(7, SharedOptions.GetBatchSize(r, batchSize));
        Assert.AreEqual(5, SharedOptions.GetEpochs(r, epochs));
    }

    [TestMethod]
    [DataRow("--codec", "brotli")]
    [DataRow("--chunk-size", "lots")]
    [DataRow("--threads", "0")]
    [DataRow("--order", "shuffled")]
    [DataRow("--order", "1")]
    [DataRow("--batch-size", "0")]
    [DataRow("--epochs", "0")]
    public void Getters_BadValue_ThrowUsageNamingTheOption(string option, string value)
    {
        var (codec, chunkSize, threads, order, batchSize, epochs) = (SharedOptions.Codec(), SharedOptions.ChunkSize(), SharedOptions.Threads(), SharedOptions.Order(), SharedOptions.BatchSize(), SharedOptions.Epochs("Passes."));
        ParseResult r = new Command("test") { codec, chunkSize, threads, order, batchSize, epochs }.Parse([option, value]);
        Action read = option switch
        {
            "--codec" => () => SharedOptions.GetCodec(r, codec),
            "--chunk-size" => () => SharedOptions.GetChunkBytes(r, chunkSize),
            "--threads" => () => SharedOptions.GetThreads(r, threads),
            "--order" => () => SharedOptions.GetOrder(r, order),
            "--batch-size" => () => SharedOptions.GetBatchSize(r, batchSize),
            _ => () => SharedOptions.GetEpochs(r, epochs),
        };

        var e = Assert.ThrowsExactly<UsageException>(read);

        StringAssert.Contains(e.Message, option);
    }
}
