using System.Buffers.Binary;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Integrity;
using ShardStore.Testing.Fuzzing;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// A small valid dataset for fuzzing the reader: three lz4 shards of two or three chunks of <see cref="TestData.MixedSchema"/>,
/// written with a fixed identity so that the same bytes come out on every run (kept inputs replace some of its files).
/// A case's files are written over the dataset, opened and read in full, and the originals put back.
/// </summary>
internal sealed class FuzzDataset : IDisposable
{
    public const int Samples = 150;
    private const string Identity = "f0e1d2c3b4a5968778695a4b3c2d1e0f";

    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, byte[]> _originals;

    public FuzzDataset()
    {
        Path = _directory.Combine("ds");
        TestData.WriteMixed(Path, Samples, TestData.Options(CodecKind.Lz4, chunkBytes: 2048, shardBytes: 12 << 10, threads: 1, identity: Identity));
        _originals = Directory.GetFiles(Path).ToDictionary(f => System.IO.Path.GetFileName(f), File.ReadAllBytes);
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, byte[]> Originals => _originals;

    public int ShardCount => _originals.Count - 1;

    public byte[] Manifest => _originals[FormatConstants.ManifestFileName];

    /// <summary>Whether an exception is how the reader may refuse a damaged dataset.</summary>
    public static bool IsExpected(Exception e) => e is InvalidDataException;

    /// <summary>Returns a fuzz target named <paramref name="name"/> that runs <see cref="OpenAndReadAll"/>: 10 s and 32 MiB allocated per case.</summary>
    public FuzzTarget Target(string name) => new(name, OpenAndReadAll)
    {
        IsExpected = IsExpected,
        TimeLimit = TimeSpan.FromSeconds(10),
        AllocationLimit = 32L << 20,
    };

    /// <summary>Writes the case's files over the dataset, opens it, reads every sample and checks it, and restores the files.</summary>
    public void OpenAndReadAll(FuzzCase input)
    {
        try
        {
            foreach ((string name, byte[] bytes) in input.Files)
            {
                File.WriteAllBytes(System.IO.Path.Combine(Path, name), bytes);
            }

            using ShardDataset ds = ShardDataset.Open(Path, new ShardDatasetOptions
            {
                Codecs = NativeCodecs.Provider,
                Checksums = ChecksumPolicy.Always,
                MaxMappedShards = 1,
                DecodeBudgetBytes = 16 << 20,
            });
            Assert.AreEqual(Samples, ds.SampleCount, "samples");
            Assert.AreEqual(TestData.MixedSchema, ds.Schema, "schema");
            for (long i = 0; i < Samples; i++)
            {
                using SampleLease s = ds.ReadSample(i);
                TestData.AssertMixedSample(s, i);
            }

            Assert.AreEqual(0, ds.LiveLeases);
        }
        finally
        {
            foreach (string name in input.Files.Keys)
            {
                string path = System.IO.Path.Combine(Path, name);
                if (_originals.TryGetValue(name, out byte[]? original))
                {
                    File.WriteAllBytes(path, original);
                }
                else
                {
                    File.Delete(path);
                }
            }
        }
    }

    /// <summary>
    /// Recomputes every checksum that covers a shard's header, identity, table and footer, and makes the manifest
    /// agree with the shard's length, table CRC and byte totals, so that the structural checks behind the
    /// checksums are reached. Does what the damaged bytes allow: a footer that does not locate a table is left as is.
    /// </summary>
    public FuzzCase Resign(int shard, byte[] bytes)
    {
        if (bytes.Length >= FormatConstants.HeaderReadSize)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(60), Crc32C.Compute(bytes.AsSpan(0, 60)));
            Span<byte> identity = bytes.AsSpan(FormatConstants.IdentityOffset, DatasetIdentity.Size);
            if (identity.ContainsAnyExcept((byte)0))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FormatConstants.IdentityOffset + DatasetIdentity.Size), Crc32C.Compute(identity));
            }
        }

        var files = new Dictionary<string, byte[]> { [FormatConstants.ShardFileName(shard)] = bytes };
        if (bytes.Length < FormatConstants.MinShardLength)
        {
            return new FuzzCase(files);
        }

        Span<byte> footer = bytes.AsSpan(bytes.Length - FormatConstants.FooterSize);
        ulong tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(footer);
        ulong chunkCount = BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]);
        uint tableCrc = BinaryPrimitives.ReadUInt32LittleEndian(footer[16..]);
        ulong raw = 0, stored = 0;
        if (chunkCount <= (ulong)bytes.Length / FormatConstants.ChunkEntrySize
            && tableOffset <= (ulong)bytes.Length
            && tableOffset + (chunkCount * FormatConstants.ChunkEntrySize) + FormatConstants.FooterSize == (ulong)bytes.Length)
        {
            ReadOnlySpan<byte> table = bytes.AsSpan((int)tableOffset, (int)chunkCount * FormatConstants.ChunkEntrySize);
            tableCrc = Crc32C.Compute(table);
            for (int i = 0; i < (int)chunkCount; i++)
            {
                stored = Saturate(stored, BinaryPrimitives.ReadUInt64LittleEndian(table[((i * FormatConstants.ChunkEntrySize) + 8)..]));
                raw = Saturate(raw, BinaryPrimitives.ReadUInt64LittleEndian(table[((i * FormatConstants.ChunkEntrySize) + 16)..]));
            }

            new ShardFooter((long)tableOffset, (long)chunkCount, tableCrc).Write(footer);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(footer[20..], Crc32C.Compute(footer[..20]));
            ShardInfo info = ManifestSerializer.Parse(Manifest, "manifest").Shards[shard];
            raw = (ulong)info.RawBytes;
            stored = (ulong)info.StoredBytes;
        }

        DatasetManifest manifest = ManifestSerializer.Parse(Manifest, "manifest");
        var shards = manifest.Shards.ToList();
        shards[shard] = shards[shard] with { FileBytes = bytes.Length, TableCrc32C = tableCrc, RawBytes = (long)raw, StoredBytes = (long)stored };
        files[FormatConstants.ManifestFileName] = ManifestSerializer.Serialize(manifest with { Shards = shards });
        return new FuzzCase(files);
    }

    public void Dispose() => _directory.Dispose();

    private static ulong Saturate(ulong a, ulong b) => Math.Min(a + b < a ? ulong.MaxValue : a + b, long.MaxValue);
}
