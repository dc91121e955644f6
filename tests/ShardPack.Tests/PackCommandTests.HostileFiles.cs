using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

// Inputs that are not regular files, and inputs past 2 GiB, for every importer.
public sealed partial class PackCommandTests
{
    private const int WideRecordBytes = 4096;

    // Just over 2 GiB: offsets past int.MaxValue are reached while reading.
    private const long OverTwoGiBRecords = ((2L << 30) / WideRecordBytes) + 2;

    [TestMethod]
    [DataRow("csv")]
    [DataRow("ctf")]
    [DataRow("tfrecord")]
    [DataRow("raw")]
    [DataRow("npy")]
    [DataRow("files")]
    public void Run_FifoAsInput_ExitsThreeWithoutBlocking(string format)
    {
        using var dir = new TempDirectory();
        string fifo = dir.Combine("pipe");
        SpecialFiles.CreateFifo(fifo);
        string output = dir.Combine("out");

        CliResult r = SpecialFiles.RunWithoutBlocking(fifo, () => Cli.Run([.. PackArgs(format, fifo), "-o", output, "--quiet"]));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains($"'{fifo}'", r.Error);
        Assert.Contains("FIFO", r.Error);
        Assert.IsFalse(Directory.Exists(output));
    }

    [TestMethod]
    [DataRow("csv")]
    [DataRow("raw")]
    [DataRow("npy")]
    public void Run_DirectoryAsInput_ExitsThree(string format)
    {
        using var dir = new TempDirectory();
        string folder = dir.Combine("folder");
        Directory.CreateDirectory(folder);

        CliResult r = Cli.Run([.. PackArgs(format, folder), "-o", dir.Combine("out"), "--quiet"]);

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("directory", r.Error);
    }

    [TestMethod]
    public void Run_SparseRawInputOver2GiB_PacksEveryRecord()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("big.bin");
        using (FileStream f = File.Create(input))
        {
            f.SetLength(OverTwoGiBRecords * WideRecordBytes);
            f.Position = f.Length - 1;
            f.WriteByte(42);
        }

        string output = dir.Combine("out");
        CliResult r = Cli.Run("pack", "--from", "raw", "--input", input, "--field", $"x:u8:{WideRecordBytes}", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        AssertLastByte(output, 42);
    }

    [TestMethod]
    public void Run_SparseNpyInputOver2GiB_PacksEveryRow()
    {
        using var dir = new TempDirectory();
        string input = dir.Combine("big.npy");
        using (FileStream f = File.Create(input))
        {
            f.Write(NpyWriter.Header("|u1", OverTwoGiBRecords, WideRecordBytes));
            f.SetLength(f.Length + (OverTwoGiBRecords * WideRecordBytes));
            f.Position = f.Length - 1;
            f.WriteByte(42);
        }

        string output = dir.Combine("out");
        CliResult r = Cli.Run("pack", "--from", "npy", "--field", $"x={input}", "-o", output, "--quiet");

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        AssertLastByte(output, 42);
    }

    private static string[] PackArgs(string format, string input) => format switch
    {
        "csv" => ["pack", "--from", "csv", "--input", input, "--field", "a:f32:a"],
        "ctf" => ["pack", "--from", "ctf", "--input", input, "--stream", "x:1"],
        "tfrecord" => ["pack", "--from", "tfrecord", "--input", input],
        "raw" => ["pack", "--from", "raw", "--input", input, "--field", "a:u8"],
        "npy" => ["pack", "--from", "npy", "--field", $"a={input}"],
        "files" => ["pack", "--from", "files", "--manifest", input, "--path-column", "path"],
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static void AssertLastByte(string output, byte expected)
    {
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        Assert.AreEqual(OverTwoGiBRecords, dataset.SampleCount);
        using SampleLease last = dataset.ReadSample(OverTwoGiBRecords - 1);
        Assert.AreEqual(expected, last.Get<byte>(0)[WideRecordBytes - 1]);
        using SampleLease first = dataset.ReadSample(0);
        Assert.AreEqual(0, first.Get<byte>(0)[0]);
    }
}
