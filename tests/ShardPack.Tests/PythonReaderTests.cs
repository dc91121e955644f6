using ShardPack.Tests.Infrastructure;
using ShardStore.Compression;

namespace ShardPack.Tests;

/// <summary>The Python reference reader (tools/python/shardstore_reader) on datasets this library writes.</summary>
[TestClass]
public sealed class PythonReaderTests
{
    [TestMethod]
    [DataRow(CodecKind.None, "samples")]
    [DataRow(CodecKind.None, "chunks")]
    [DataRow(CodecKind.Lz4, "samples")]
    [DataRow(CodecKind.Lz4, "chunks")]
    [DataRow(CodecKind.Lz4HC, "samples")]
    [DataRow(CodecKind.Lz4HC, "chunks")]
    [DataRow(CodecKind.Zstd, "samples")]
    [DataRow(CodecKind.Zstd, "chunks")]
    public void Read_EveryDtypeAndVariableField_MatchesDotNetReader(CodecKind codec, string via)
    {
        string python = PythonReader.RequirePython();
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        ReaderFixture.Write(path, codec);
        (List<string> expected, Dictionary<CodecKind, int> codecs) = ReaderFixture.ReadRows(path);
        Assert.IsTrue(codecs.GetValueOrDefault(codec) > 0, $"no chunk was stored with {codec}: {string.Join(", ", codecs)}");
        using (ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = ShardStore.Codecs.NativeCodecs.Provider }))
        {
            Assert.IsTrue(ds.Shards.Count > 1 && ds.ChunkCount > 2 * ds.Shards.Count, $"{ds.Shards.Count} shards, {ds.ChunkCount} chunks");
        }

        (int code, string output, string error) = PythonReader.Run(python, null, "tests/dump_samples.py", path, "--via", via);

        Assert.AreEqual(0, code, error);
        string[] actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(expected.Count, actual.Length, "rows");
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], $"row {i}");
        }
    }

    [TestMethod]
    [DataRow(CodecKind.None)]
    [DataRow(CodecKind.Zstd)]
    public void ReadChunk_CorruptedChunk_RaisesChecksumErrorNamingShardAndChunk(CodecKind codec)
    {
        string python = PythonReader.RequirePython();
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        ReaderFixture.Write(path, codec);
        string shard;
        long offset;
        using (ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = ShardStore.Codecs.NativeCodecs.Provider }))
        {
            shard = Path.Combine(path, ds.Shards[1].FileName);
            offset = FirstChunkOffset(shard, chunk: 2);
        }

        using (FileStream file = File.Open(shard, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = offset + 1;
            int b = file.ReadByte();
            file.Position = offset + 1;
            file.WriteByte((byte)(b ^ 0x10));
        }

        const string Script = """
            import sys, shardstore_reader as s
            ds = s.open_dataset(sys.argv[1])
            try:
                ds.read_chunk(1, 2)
            except s.ChecksumError as e:
                print(e.path, e.shard, e.chunk)
                print(e)
            """;
        (int code, string output, string error) = PythonReader.Run(python, null, "-c", Script, path);

        Assert.AreEqual(0, code, error);
        string[] lines = output.Split('\n');
        Assert.AreEqual($"{shard} 1 2", lines[0], output);
        StringAssert.Contains(lines[1], "shard 1, chunk 2", output);
        StringAssert.Contains(lines[1], "CRC32C", output);
    }

    [TestMethod]
    [DataRow(CodecKind.Lz4)]
    [DataRow(CodecKind.Zstd)]
    public void UnitTests_PackedDataset_AllPass(CodecKind codec)
    {
        string python = PythonReader.RequirePython();
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        ReaderFixture.Write(path, codec);

        (int code, string output, string error) = PythonReader.Run(python, path, "-m", "unittest", "-v", "tests.test_reader");

        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(error, "\nOK", error);
        Assert.IsFalse(error.Contains("skipped", StringComparison.Ordinal), error);
    }

    [TestMethod]
    public void TorchDataset_PackedDataset_UnitTestsPass()
    {
        string python = PythonReader.RequireTorchPython();
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        ReaderFixture.Write(path, CodecKind.Lz4, samples: 60);

        (int code, string output, string error) = PythonReader.Run(python, path, "-m", "unittest", "-v", "tests.test_torch_dataset");

        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(error, "\nOK", error);
        Assert.IsFalse(error.Contains("skipped", StringComparison.Ordinal), error);
    }

    private static long FirstChunkOffset(string shard, int chunk)
    {
        // The footer's table offset, then the chunk's entry: its first 8 bytes are the chunk's offset.
        using FileStream file = File.OpenRead(shard);
        var footer = new byte[8];
        file.Position = file.Length - 32;
        file.ReadExactly(footer);
        file.Position = BitConverter.ToInt64(footer) + (48L * chunk);
        file.ReadExactly(footer);
        return BitConverter.ToInt64(footer);
    }
}
