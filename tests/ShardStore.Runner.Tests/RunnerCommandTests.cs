using System.Collections;
using System.Globalization;
using ShardPack;
using ShardStore.Compression;
using ShardStore.Runner;
using ShardStore.Runner.Cli;
using ShardStore.Storage;

namespace ShardStore.Runner.Tests;

/// <summary>The runner's command line: defaults, every option, refusals and help. Nothing here runs a scenario.</summary>
[TestClass]
public sealed class RunnerCommandTests
{
    [TestMethod]
    public void Parse_NoArguments_MainJobDefaults()
    {
        RunnerOptions o = RunnerCommand.Parse();

        Assert.AreEqual(CodecKind.Lz4, o.Codec);
        Assert.AreEqual(Environment.ProcessorCount, o.Threads);
        Assert.AreEqual(3, o.Epochs);
        Assert.AreEqual(SampleOrder.Window, o.Order);
        Assert.AreEqual(256, o.BatchSize);
        Assert.AreEqual(4 << 20, o.ChunkBytes);
        Assert.AreEqual(RunnerOptions.MainJobSamples, o.MainJobSampleCount);
        Assert.AreEqual(RunnerOptions.DefaultSamples, o.Samples);
        Assert.AreEqual(RunnerOptions.DefaultSamples, o.NaiveSamples);
        Assert.IsNull(o.Size);
        Assert.AreEqual(2000, o.ImageFiles);
        Assert.AreEqual(32, o.ImageBatchSize);
        Assert.AreEqual(1L << 30, o.DeviceBudgetBytes);
        Assert.AreEqual(ShardReadMode.Auto, o.ReadMode);
        Assert.IsNull(o.DirectIo);
        Assert.IsNull(o.Directory);
        Assert.IsNull(o.Device);
        Assert.IsNull(o.S3Endpoint);
        Assert.IsNull(o.JsonPath);
        CollectionAssert.AreEqual(RunnerOptions.AllCodecs.ToArray(), o.Codecs.ToArray());
        CollectionAssert.AreEqual(RunnerOptions.AllOrders.ToArray(), o.Orders.ToArray());
        CollectionAssert.AreEqual(RunnerOptions.AllDatasets.ToArray(), o.Datasets.ToArray());
        Assert.IsFalse(o.IsBenchmark || o.Goals || o.Mixture || o.ShuffleQuality || o.Images || o.Remote || o.Quick, "no mode: the main job");
        Assert.IsFalse(o.RunsMatrix || o.RunsNaive || o.RunsOutOfCore);
    }

    [TestMethod]
    public void Parse_Quick_SmallerSizesAndFewerEpochs()
    {
        RunnerOptions o = RunnerCommand.Parse("--quick");

        Assert.AreEqual(RunnerOptions.QuickSamples, o.Samples);
        Assert.AreEqual(RunnerOptions.QuickNaiveSamples, o.NaiveSamples);
        Assert.AreEqual(2, o.Epochs);
        Assert.IsTrue(o.IsBenchmark && o.RunsMatrix && o.RunsNaive);
        Assert.IsFalse(o.RunsOutOfCore);
    }

    [TestMethod]
    [DataRow("--goals", nameof(RunnerOptions.Goals), "True")]
    [DataRow("--mixture", nameof(RunnerOptions.Mixture), "True")]
    [DataRow("--shuffle-quality", nameof(RunnerOptions.ShuffleQuality), "True")]
    [DataRow("--images", nameof(RunnerOptions.Images), "True")]
    [DataRow("--device cuda:0", nameof(RunnerOptions.Device), "cuda:0")]
    [DataRow("--device cuda:3", nameof(RunnerOptions.DeviceOrdinal), "3")]
    [DataRow("--device host", nameof(RunnerOptions.Device), "host")]
    [DataRow("--device host", nameof(RunnerOptions.DeviceOrdinal), "")]
    [DataRow("--remote", nameof(RunnerOptions.Remote), "True")]
    [DataRow("--matrix", nameof(RunnerOptions.RunsOutOfCore), "True")]
    [DataRow("--quick", nameof(RunnerOptions.Quick), "True")]
    [DataRow("--naive", nameof(RunnerOptions.RunsNaive), "True")]
    [DataRow("--out-of-core", nameof(RunnerOptions.RunsOutOfCore), "True")]
    [DataRow("--matrix --skip out-of-core,naive", nameof(RunnerOptions.RunsOutOfCore), "False")]
    [DataRow("--matrix --skip out-of-core,naive", nameof(RunnerOptions.RunsNaive), "False")]
    [DataRow("--codec zstd", nameof(RunnerOptions.Codec), "Zstd")]
    [DataRow("--codec LZ4HC", nameof(RunnerOptions.Codec), "Lz4HC")]
    [DataRow("--threads 3", nameof(RunnerOptions.Threads), "3")]
    [DataRow("--epochs 8", nameof(RunnerOptions.Epochs), "8")]
    [DataRow("--order random", nameof(RunnerOptions.Order), "Random")]
    [DataRow("--batch-size 64", nameof(RunnerOptions.BatchSize), "64")]
    [DataRow("--chunk-size 1M", nameof(RunnerOptions.ChunkBytes), "1048576")]
    [DataRow("--samples 20000", nameof(RunnerOptions.Samples), "20000")]
    [DataRow("--samples 20000", nameof(RunnerOptions.MainJobSampleCount), "20000")]
    [DataRow("--size 2G", nameof(RunnerOptions.Size), "2147483648")]
    [DataRow("--image-samples 10", nameof(RunnerOptions.GivenImageSamples), "10")]
    [DataRow("--image-batch 8", nameof(RunnerOptions.ImageBatchSize), "8")]
    [DataRow("--naive-samples 100", nameof(RunnerOptions.NaiveSamples), "100")]
    [DataRow("--image-files 50", nameof(RunnerOptions.ImageFiles), "50")]
    [DataRow("--device-budget 512M", nameof(RunnerOptions.DeviceBudgetBytes), "536870912")]
    [DataRow("--datasets image", nameof(RunnerOptions.Datasets), "image")]
    [DataRow("--codecs none,zstd,none", nameof(RunnerOptions.Codecs), "None,Zstd")]
    [DataRow("--orders window", nameof(RunnerOptions.Orders), "Window")]
    [DataRow("--dir datasets", nameof(RunnerOptions.Directory), "datasets")]
    [DataRow("--read-mode direct", nameof(RunnerOptions.ReadMode), "Direct")]
    [DataRow("--direct-io", nameof(RunnerOptions.DirectIo), "True")]
    [DataRow("--no-direct-io", nameof(RunnerOptions.DirectIo), "False")]
    [DataRow("--remote --s3-endpoint http://127.0.0.1:9000", nameof(RunnerOptions.S3Endpoint), "http://127.0.0.1:9000")]
    [DataRow("--quick --json results.json", nameof(RunnerOptions.JsonPath), "results.json")]
    public void Parse_Option_SetsItsProperty(string commandLine, string property, string expected)
    {
        RunnerOptions o = RunnerCommand.Parse(commandLine.Split(' '));

        Assert.AreEqual(expected, Format(typeof(RunnerOptions).GetProperty(property)!.GetValue(o)), commandLine);
    }

    [TestMethod]
    [DataRow("--samples 0", "--samples")]
    [DataRow("--samples many", "--samples")]
    [DataRow("--threads 0", "--threads")]
    [DataRow("--epochs 0", "--epochs")]
    [DataRow("--batch-size 0", "--batch-size")]
    [DataRow("--chunk-size 1.5M", "--chunk-size")]
    [DataRow("--size lots", "--size")]
    [DataRow("--device gpu", "--device")]
    [DataRow("--device cuda:x", "--device")]
    [DataRow("--codec brotli", "--codec")]
    [DataRow("--order shuffled", "--order")]
    [DataRow("--read-mode fast", "--read-mode")]
    [DataRow("--codecs ,", "--codecs")]
    [DataRow("--codecs lz4,brotli", "--codecs")]
    [DataRow("--orders sideways", "--orders")]
    [DataRow("--datasets cifar", "--datasets")]
    [DataRow("--matrix --skip tests", "--skip")]
    [DataRow("--image-files 0", "--image-files")]
    [DataRow("--image-batch 0", "--image-batch")]
    [DataRow("--naive-samples 0", "--naive-samples")]
    [DataRow("--image-samples 0", "--image-samples")]
    [DataRow("--device-budget 0", "--device-budget")]
    [DataRow("--json", "--json")]
    [DataRow("--dir", "--dir")]
    [DataRow("--size 1G --samples 10", "--size")]
    [DataRow("--matrix --goals", "--goals")]
    [DataRow("--quick --device host", "--device")]
    [DataRow("--quick --skip matrix,naive", "--skip")]
    [DataRow("--json results.json", "--json")]
    [DataRow("--direct-io --no-direct-io", "--no-direct-io")]
    public void Parse_BadValue_ThrowsUsageNamingTheOption(string commandLine, string option)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => RunnerCommand.Parse(commandLine.Split(' ')));

        StringAssert.Contains(e.Message, option, commandLine);
    }

    [TestMethod]
    [DataRow("--batch 64", "--batch")]
    [DataRow("--sample 10", "--sample")]
    [DataRow("matrix", "matrix")]
    public void Parse_UnknownOption_ThrowsUsageNamingIt(string commandLine, string token)
    {
        var e = Assert.ThrowsExactly<UsageException>(() => RunnerCommand.Parse(commandLine.Split(' ')));

        StringAssert.Contains(e.Message, $"'{token}'", commandLine);
    }

    // Every runner command line in README.md, docs/, bench/ (results, the GPU script) and .ci keeps working.
    [TestMethod]
    [DataRow("")]
    [DataRow("--help")]
    [DataRow("--goals --epochs 20")]
    [DataRow("--quick")]
    [DataRow("--matrix --json results.json")]
    [DataRow("--out-of-core --read-mode direct")]
    [DataRow("--out-of-core --read-mode direct --size 12G")]
    [DataRow("--out-of-core --size 6G --read-mode direct")]
    [DataRow("--out-of-core --size 12G")]
    [DataRow("--remote")]
    [DataRow("--remote --samples 100000")]
    [DataRow("--shuffle-quality --epochs 8")]
    [DataRow("--mixture --threads 2 --epochs 7")]
    [DataRow("--images")]
    [DataRow("--images --threads 2")]
    [DataRow("--device cuda:0 --codec none --order sequential")]
    [DataRow("--device cuda:0 --codec none --epochs 3 --dir run")]
    [DataRow("--device host")]
    [DataRow("--samples 60000 --dir run")]
    [DataRow("--samples 1370000 --codec none --dir run --epochs 1")]
    public void Run_DocumentedInvocation_Accepted(string commandLine)
    {
        string[] args = commandLine.Length == 0 ? [] : commandLine.Split(' ');
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = RunnerCommand.Run(args, output, error, _ => 0);

        Assert.AreEqual(ExitCodes.Success, code, $"{commandLine}\n{error}");
        Assert.AreEqual(string.Empty, error.ToString());
    }

    [TestMethod]
    public void Run_Help_ExitsZeroListingEveryOptionWithoutRunning()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        bool ran = false;

        int code = RunnerCommand.Run(["--help"], output, error, _ => { ran = true; return 0; });

        Assert.AreEqual(ExitCodes.Success, code, error.ToString());
        Assert.IsFalse(ran);
        foreach (System.CommandLine.Option option in new RunnerCommand().Root.Options)
        {
            StringAssert.Contains(output.ToString(), option.Name);
        }
    }

    [TestMethod]
    [DataRow("--threads 0", "--threads")]
    [DataRow("--device gpu", "--device")]
    [DataRow("--batch 64", "--batch")]
    [DataRow("--epochs", "--epochs")]
    public void Run_UsageError_ExitsTwoNamingTheOptionWithoutRunning(string commandLine, string option)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        bool ran = false;

        int code = RunnerCommand.Run(commandLine.Split(' '), output, error, _ => { ran = true; return 0; });

        Assert.AreEqual(ExitCodes.InvalidArguments, code);
        Assert.IsFalse(ran);
        Assert.AreEqual(string.Empty, output.ToString());
        StringAssert.StartsWith(error.ToString(), "error: ");
        StringAssert.Contains(error.ToString(), option);
    }

    [TestMethod]
    public void Run_ValidCommandLine_RunsWithTheOptionsAndReturnsItsCode()
    {
        RunnerOptions? seen = null;

        int code = RunnerCommand.Run(["--shuffle-quality", "--epochs", "8"], TextWriter.Null, TextWriter.Null, o => { seen = o; return 7; });

        Assert.AreEqual(7, code);
        Assert.IsNotNull(seen);
        Assert.IsTrue(seen.ShuffleQuality);
        Assert.AreEqual(8, seen.Epochs);
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        SyntheticDataset dataset => dataset.Name,
        string text => text,
        IEnumerable items => string.Join(",", items.Cast<object>().Select(Format)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
