using System.CommandLine;
using ShardPack.Commands;
using ShardPack.Tests.Infrastructure;
using ShardStore.S3;
using ShardStore.Storage;

namespace ShardPack.Tests;

/// <summary>The dataset argument and reading options shared by info, verify, cat, export and order.</summary>
[TestClass]
public sealed partial class DatasetSourceTests
{
    private static (DatasetSource Source, ParseResult Result) Parse(params string[] args)
    {
        var source = new DatasetSource();
        var command = new Command("test");
        source.AddTo(command);
        return (source, command.Parse(args));
    }

    [TestMethod]
    public void GetOptions_Defaults_AutoReadModeNoCacheS3Provider()
    {
        (DatasetSource source, ParseResult result) = Parse("ds");

        ShardDatasetOptions options = source.GetOptions(result);

        Assert.IsEmpty(result.Errors);
        Assert.AreEqual(ShardReadMode.Auto, options.ReadMode);
        Assert.IsNull(options.DirectIo, "O_DIRECT is off unless asked for");
        Assert.IsNull(options.Cache);
        Assert.AreSame(S3Storage.Provider, options.ObjectStorage);
        Assert.IsNotNull(options.Codecs);
    }

    [TestMethod]
    public void GetOptions_EveryOption_MapsToDatasetOptions()
    {
        (DatasetSource source, ParseResult result) = Parse("ds", "--read-mode", "Direct", "--direct-io", "--cache-dir", "/local/cache", "--cache-limit", "512M");

        ShardDatasetOptions options = source.GetOptions(result);

        Assert.AreEqual(ShardReadMode.Direct, options.ReadMode);
        Assert.IsTrue(options.DirectIo == true);
        Assert.IsNotNull(options.Cache);
        Assert.AreEqual("/local/cache", options.Cache.Directory);
        Assert.AreEqual(512L << 20, options.Cache.LimitBytes);
    }

    [TestMethod]
    [DataRow("mapped", ShardReadMode.Mapped)]
    [DataRow("direct", ShardReadMode.Direct)]
    [DataRow("AUTO", ShardReadMode.Auto)]
    public void GetOptions_ReadMode_ParsedIgnoringCase(string text, ShardReadMode expected)
    {
        (DatasetSource source, ParseResult result) = Parse("ds", "--read-mode", text);

        Assert.AreEqual(expected, source.GetOptions(result).ReadMode);
    }

    [TestMethod]
    [DataRow("--read-mode", "fast")]
    [DataRow("--read-mode", "1")]
    [DataRow("--cache-dir", "/local/cache")]
    [DataRow("--cache-limit", "4G")]
    public void GetOptions_WrongOrIncompleteOption_ThrowsUsageNamingIt(string option, string value)
    {
        (DatasetSource source, ParseResult result) = Parse("ds", option, value);

        var e = Assert.ThrowsExactly<UsageException>(() => source.GetOptions(result));

        StringAssert.Contains(e.Message, option);
    }

    [TestMethod]
    public void GetOptions_CacheLimitNotASize_ThrowsUsage()
    {
        (DatasetSource source, ParseResult result) = Parse("ds", "--cache-dir", "/c", "--cache-limit", "lots");

        var e = Assert.ThrowsExactly<UsageException>(() => source.GetOptions(result));

        StringAssert.Contains(e.Message, "--cache-limit 'lots'");
    }

    [TestMethod]
    [DataRow("info")]
    [DataRow("verify")]
    [DataRow("cat")]
    [DataRow("export")]
    [DataRow("order")]
    public void Help_DatasetCommands_DescribeS3LocationAndItsEnvironment(string command)
    {
        CliResult r = Cli.Run(command, "--help");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        string help = string.Join(' ', r.Output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        foreach (string expected in (string[])["s3://bucket/prefix", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_ACCESS_KEY_ID", "SHARDSTORE_S3_FORCE_PATH_STYLE", "--cache-dir", "--cache-limit", "--read-mode", "--direct-io"])
        {
            StringAssert.Contains(help, expected, r.ToString());
        }
    }

    [TestMethod]
    public void Cat_LocalDatasetEveryReadMode_PrintsTheSameSample()
    {
        using var dir = new TempDirectory();
        string ds = PackLocal(dir);
        CliResult expected = Cli.Run("cat", ds, "--index", "2", "--json");

        foreach (string[] mode in (string[][])[["--read-mode", "mapped"], ["--read-mode", "direct"], ["--read-mode", "direct", "--direct-io"], ["--read-mode", "auto"]])
        {
            CliResult r = Cli.Run(["cat", ds, "--index", "2", "--json", .. mode]);

            Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
            Assert.AreEqual(expected.Output, r.Output, string.Join(' ', mode));
        }
    }

    [TestMethod]
    public void Info_ReadModeUnknown_ExitsInvalidArguments()
    {
        using var dir = new TempDirectory();
        string ds = PackLocal(dir);

        CliResult r = Cli.Run("info", ds, "--read-mode", "fast");

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, "--read-mode 'fast'", r.ToString());
    }

    [TestMethod]
    [DataRow("s3://")]
    [DataRow("s3://Bad_Bucket/ds")]
    [DataRow("s3://bucket//ds")]
    public void Info_MalformedS3Uri_ExitsBadDataNamingIt(string location)
    {
        CliResult r = Cli.Run("info", location);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, location, r.ToString());
        Assert.HasCount(1, r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), r.ToString());
    }

    private static string PackLocal(TempDirectory dir)
    {
        string path = dir.Combine("ds");
        using (DatasetWriter writer = DatasetWriter.Create(path, new Schema(FieldSpec.Fixed("x", DType.I32, 3), FieldSpec.Variable("v", DType.U8))))
        {
            for (int i = 0; i < 5; i++)
            {
                writer.Write<int>("x", [i, i * 2, i * 3]);
                writer.Write<byte>("v", new byte[i]);
                writer.EndSample();
            }

            writer.Complete();
        }

        return path;
    }
}
