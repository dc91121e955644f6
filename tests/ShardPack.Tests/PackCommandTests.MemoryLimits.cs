using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ShardPack.Tests.Infrastructure;

namespace ShardPack.Tests;

// Pathological inputs run through the real CLI in a child process under a 256 MiB heap: each must end in exit 3 with a
// message naming the file, never in a crash (134) from a stack overflow or an allocation the input only declared.
public sealed partial class PackCommandTests
{
    private const long HugeLineBytes = 300_000_000;

    private static readonly Dictionary<string, string> s_smallHeap = new() { ["DOTNET_GCHeapHardLimit"] = CliProcess.SmallHeap };

    [TestMethod]
    public void Run_NpyHeaderNested20000Deep_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("deep.npy");
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + new string('[', 20_000) + "}";
        WriteNpyText(path, dict);

        CliResult r = RunSmallHeap("pack", "--from", "npy", "--field", $"x={path}", "-o", dir.Combine("out"), "--quiet");

        AssertBadData(r, path);
        StringAssert.Contains(r.Error, "nest");
    }

    [TestMethod]
    public void Run_NpyHeaderDeclaringHugeShape_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("huge.npy");
        File.WriteAllBytes(path, NpyWriter.Header("<f4", 1_000_000_000, 1_000_000));

        CliResult r = RunSmallHeap("pack", "--from", "npy", "--field", $"x={path}", "-o", dir.Combine("out"), "--quiet");

        AssertBadData(r, path);
    }

    [TestMethod]
    public void Run_CsvLineWithoutNewline300MB_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("long.csv");
        WriteSparseTail(path, "a,b\n1", HugeLineBytes);

        CliResult r = RunSmallHeap("pack", "--from", "csv", "--input", path, "--field", "a:f32:a", "-o", dir.Combine("out"), "--quiet");

        AssertBadData(r, path);
        StringAssert.Contains(r.Error, "line 2");
    }

    [TestMethod]
    public void Run_CsvLineOfSeparators300MB_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("commas.csv");
        using (FileStream f = File.Create(path))
        {
            f.Write("a\n"u8);
            byte[] commas = new byte[1 << 20];
            commas.AsSpan().Fill((byte)',');
            for (long written = 0; written < HugeLineBytes; written += commas.Length)
            {
                f.Write(commas);
            }
        }

        CliResult r = RunSmallHeap("pack", "--from", "csv", "--input", path, "--field", "a:f32:a", "-o", dir.Combine("out"), "--quiet");

        AssertBadData(r, path);
        StringAssert.Contains(r.Error, "line 2");
    }

    [TestMethod]
    public void Run_CtfLineWithoutNewline300MB_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("long.ctf");
        WriteSparseTail(path, "|x 1\n|x 2", HugeLineBytes);

        CliResult r = RunSmallHeap("pack", "--from", "ctf", "--input", path, "--stream", "x:1", "-o", dir.Combine("out"), "--quiet");

        AssertBadData(r, path);
        StringAssert.Contains(r.Error, "line 2");
    }

    [TestMethod]
    public void Run_GzipTfRecordDeclaring1GiBRecord_ExitsThreeUnderSmallHeap()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("huge.tfrecord.gz");
        byte[] header = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, 1UL << 30);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), TfRecordWriter.MaskedCrc(header.AsSpan(0, 8)));
        using (FileStream f = File.Create(path))
        using (var gzip = new GZipStream(f, CompressionLevel.Optimal))
        {
            gzip.Write(header);
            gzip.Write("abcd"u8);
        }

        // With the limit raised to the declared length the buffer must still grow only as bytes arrive.
        CliResult raised = RunSmallHeap("pack", "--from", "tfrecord", "--input", path, "--max-record-bytes", "1G", "-o", dir.Combine("out"), "--quiet");
        CliResult standard = RunSmallHeap("pack", "--from", "tfrecord", "--input", path, "-o", dir.Combine("out"), "--quiet");

        AssertBadData(raised, path);
        StringAssert.Contains(raised.Error, "truncated record 0");
        AssertBadData(standard, path);
        StringAssert.Contains(standard.Error, "--max-record-bytes");
    }

    private static CliResult RunSmallHeap(params string[] args) => CliProcess.Run(s_smallHeap, TimeSpan.FromMinutes(3), args);

    private static void AssertBadData(CliResult r, string path)
    {
        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        StringAssert.Contains(r.Error, path, r.ToString());
        Assert.DoesNotContain("   at ", r.Error, "a stack trace reached the user");
    }

    private static void WriteNpyText(string path, string dict)
    {
        byte[] text = Encoding.Latin1.GetBytes(dict + "\n");
        byte[] file = new byte[12 + text.Length];
        ReadOnlySpan<byte> magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0];
        magic.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)text.Length);
        text.CopyTo(file, 12);
        File.WriteAllBytes(path, file);
    }

    // Writes the text, then extends the file with a hole: the rest reads as NUL characters and holds no line break.
    private static void WriteSparseTail(string path, string text, long length)
    {
        using FileStream f = File.Create(path);
        f.Write(Encoding.ASCII.GetBytes(text));
        f.SetLength(length);
    }
}
