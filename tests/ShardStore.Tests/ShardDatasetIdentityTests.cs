using System.Text;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>The random identity each pack gets: in the manifest and every shard header, checked at open and at resume.</summary>
[TestClass]
public sealed class ShardDatasetIdentityTests
{
    private const string FixedIdentity = "0123456789abcdef0123456789abcdef";

    [TestMethod]
    public void Identity_TwoPacksOfTheSameSamples_Differ()
    {
        using var dir = new TempDirectory();
        TestData.WriteMixed(dir.Combine("a"), 300, TestData.Options());
        TestData.WriteMixed(dir.Combine("b"), 300, TestData.Options());
        using ShardDataset a = ShardDataset.Open(dir.Combine("a"), TestData.ReadOptions());
        using ShardDataset b = ShardDataset.Open(dir.Combine("b"), TestData.ReadOptions());

        Assert.MatchesRegex("^[0-9a-f]{32}$", a.Identity);
        Assert.MatchesRegex("^[0-9a-f]{32}$", b.Identity);
        Assert.AreNotEqual(a.Identity, b.Identity);
        Assert.AreNotEqual(a.Fingerprint, b.Fingerprint);
    }

    [TestMethod]
    public void Identity_SetInOptions_InManifestAndEveryShardHeader()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 600, TestData.Options(shardBytes: 8 << 10, identity: FixedIdentity));

        using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
        Assert.AreEqual(FixedIdentity, ds.Identity);
        Assert.Contains($"\"identity\": \"{FixedIdentity}\"", File.ReadAllText(ShardCorruptor.ManifestPath(path)));
        Assert.IsGreaterThan(1, ds.Shards.Count);
        for (int s = 0; s < ds.Shards.Count; s++)
        {
            byte[] bytes = ShardCorruptor.ReadBytes(ShardCorruptor.ShardPath(path, s), FormatConstants.IdentityOffset, DatasetIdentity.Size);
            Assert.AreEqual(FixedIdentity, Convert.ToHexStringLower(bytes), $"shard {s}");
        }
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("0123456789ABCDEF0123456789ABCDEF")]
    [DataRow("00000000000000000000000000000000")]
    [DataRow("0123456789abcdef")]
    public void Create_IdentityNotThirtyTwoLowerHexDigits_ThrowsArgumentException(string identity)
    {
        using var dir = new TempDirectory();
        Assert.ThrowsExactly<ArgumentException>(() => DatasetWriter.Create(dir.Combine("ds"), TestData.MixedSchema, TestData.Options(identity: identity)));
    }

    [TestMethod]
    public void Open_ShardOfAnotherPackOfTheSameSamples_ThrowsBelongsToAnotherDataset()
    {
        using var dir = new TempDirectory();
        string a = dir.Combine("a"), b = dir.Combine("b");
        TestData.WriteMixed(a, 600, TestData.Options(shardBytes: 8 << 10));
        TestData.WriteMixed(b, 600, TestData.Options(shardBytes: 8 << 10));
        File.Copy(ShardCorruptor.ShardPath(b, 1), ShardCorruptor.ShardPath(a, 1), overwrite: true);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(a, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("belongs to another dataset", e.Message);
    }

    [TestMethod]
    public void Open_WrittenWithoutIdentity_OpensWithNullIdentityAndReadsEverySample()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 600, TestData.Options(shardBytes: 8 << 10));
        StripIdentity(path);

        using ShardDataset ds = ShardDataset.Open(path, new ShardDatasetOptions { Codecs = TestData.ReadOptions().Codecs, MaxMappedShards = 1 });
        Assert.IsNull(ds.Identity);
        for (long i = 0; i < ds.SampleCount; i += 7)
        {
            using SampleLease s = ds.ReadSample(i);
            TestData.AssertMixedSample(s, i);
        }
    }

    [TestMethod]
    public void Open_ManifestWithoutIdentityButShardsWithOne_ThrowsBelongsToAnotherDataset()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 300, TestData.Options());
        ShardCorruptor.EditManifestJson(path, root => root.Remove("identity"));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("belongs to another dataset", e.Message);
        Assert.Contains("the manifest none", e.Message);
    }

    [TestMethod]
    [DataRow(FormatConstants.IdentityOffset)]
    [DataRow(FormatConstants.IdentityOffset + 15)]
    [DataRow(FormatConstants.IdentityOffset + 17)]
    public void Open_IdentityBitFlipInShardHeader_ThrowsIdentityCrcMismatch(int offset)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 300, TestData.Options());
        ShardCorruptor.FlipBit(ShardCorruptor.ShardPath(path, 0), offset, 3);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("dataset identity CRC32C mismatch", e.Message);
    }

    [TestMethod]
    [DataRow("\"identity\": \"0123\"")]
    [DataRow("\"identity\": 5")]
    [DataRow("\"identity\": \"00000000000000000000000000000000\"")]
    public void Open_ManifestIdentityMalformed_ThrowsInvalidManifest(string replacement)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, 300, TestData.Options(identity: FixedIdentity));
        string manifest = File.ReadAllText(ShardCorruptor.ManifestPath(path));
        ShardCorruptor.WriteManifestText(path, manifest.Replace($"\"identity\": \"{FixedIdentity}\"", replacement, StringComparison.Ordinal));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        Assert.Contains("'identity'", e.Message);
    }

    [TestMethod]
    public void Create_ResumeFromStateOfAnotherPack_ThrowsNamingBothIdentities()
    {
        using var dir = new TempDirectory();
        TestData.WriteMixed(dir.Combine("a"), 300, TestData.Options());
        TestData.WriteMixed(dir.Combine("b"), 300, TestData.Options());
        using ShardDataset a = ShardDataset.Open(dir.Combine("a"), TestData.ReadOptions());
        using ShardDataset b = ShardDataset.Open(dir.Combine("b"), TestData.ReadOptions());
        var options = new ShardLoaderOptions { BatchSize = 16, Order = SampleOrder.Window, Seed = 7, MemoryBudgetBytes = 64L << 20 };
        LoaderState state;
        using (ShardLoader loader = ShardLoader.Create(a, options))
        {
            loader.NextBatch()?.Dispose();
            state = loader.GetState();
        }

        Assert.AreEqual(a.Identity, state.DatasetIdentity);
        ArgumentException e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(b, options with { ResumeFrom = state }));
        Assert.Contains(a.Identity!, e.Message);
        Assert.Contains(b.Identity!, e.Message);

        // A state saved before identities existed is still checked by the fingerprint.
        LoaderState old = LoaderState.FromBytes(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(state.ToBytes()).Replace($",\"datasetIdentity\":\"{a.Identity}\"", string.Empty, StringComparison.Ordinal)));
        Assert.IsNull(old.DatasetIdentity);
        e = Assert.ThrowsExactly<ArgumentException>(() => ShardLoader.Create(b, options with { ResumeFrom = old }));
        Assert.Contains(a.Fingerprint, e.Message);
        using ShardLoader resumed = ShardLoader.Create(a, options with { ResumeFrom = old });
    }

    /// <summary>Makes the dataset look as written before identities: no manifest field, zero bytes after every shard header.</summary>
    internal static void StripIdentity(string path)
    {
        ShardCorruptor.EditManifestJson(path, root => root.Remove("identity"));
        for (int s = 0; File.Exists(ShardCorruptor.ShardPath(path, s)); s++)
        {
            ShardCorruptor.WriteBytes(ShardCorruptor.ShardPath(path, s), FormatConstants.IdentityOffset, new byte[DatasetIdentity.Size + 4]);
        }
    }
}
