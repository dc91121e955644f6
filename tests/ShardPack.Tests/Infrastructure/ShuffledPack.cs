using System.Runtime.InteropServices;
using ShardStore.Codecs;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Packs an input with and without <c>--shuffle-seed</c> and checks what a shuffled pack promises.</summary>
internal static class ShuffledPack
{
    /// <summary>A fixed identity, so that two packs of the same input and options are byte-identical.</summary>
    public const string Identity = "0123456789abcdef0123456789abcdef";

    /// <summary>Runs <c>pack</c> with <paramref name="packArguments"/> into <c>dir/name</c>, shuffled by <paramref name="seed"/> when given; asserts success.</summary>
    public static string Pack(TempDirectory dir, string name, string? seed, params string[] packArguments)
    {
        string output = dir.Combine(name);
        string[] shuffle = seed is null ? [] : ["--shuffle-seed", seed];
        CliResult r = Cli.Run(["pack", .. packArguments, .. shuffle, "--identity", Identity, "--chunk-size", "4K", "-o", output, "--quiet"]);
        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        return output;
    }

    /// <summary>Returns every sample of the dataset at <paramref name="output"/>, in order, as the hex of its fields' bytes.</summary>
    public static string[] Samples(string output)
    {
        using ShardDataset dataset = ShardDataset.Open(output, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
        var samples = new string[dataset.SampleCount];
        for (long i = 0; i < samples.Length; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            samples[i] = string.Join("|", Enumerable.Range(0, dataset.Schema.Count).Select(f => Convert.ToHexString(Bytes(sample, f, dataset.Schema[f]))));
        }

        return samples;
    }

    // A fixed-shape field reads as bytes; a variable-length one only as its own element type.
    private static ReadOnlySpan<byte> Bytes(SampleLease sample, int field, FieldSpec spec) => !spec.IsVariable ? sample.Get<byte>(field) : spec.DType switch
    {
        DType.U8 => sample.Get<byte>(field),
        DType.F32 => MemoryMarshal.AsBytes(sample.Get<float>(field)),
        DType.I64 => MemoryMarshal.AsBytes(sample.Get<long>(field)),
        _ => throw new NotSupportedException($"field {spec}: add its element type here"),
    };

    /// <summary>Asserts that the datasets at <paramref name="a"/> and <paramref name="b"/> hold the same files, byte for byte.</summary>
    public static void AssertSameFiles(string a, string b)
    {
        string[] files = [.. Directory.GetFiles(a, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a, f)).Order(StringComparer.Ordinal)];
        string[] others = [.. Directory.GetFiles(b, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b, f)).Order(StringComparer.Ordinal)];
        CollectionAssert.AreEqual(files, others, "the same files");
        Assert.IsTrue(files.Any(f => f.Contains("shard", StringComparison.Ordinal)), string.Join(", ", files));
        foreach (string file in files)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)), file);
        }
    }

    /// <summary>
    /// Packs <paramref name="packArguments"/> unshuffled, twice with seed 5 and once with seed 6, and asserts: the same
    /// multiset of samples as the unshuffled pack in another order, byte-identical files for the same seed, another
    /// order for another seed. Returns the samples of the unshuffled pack and of seed 5.
    /// </summary>
    public static (string[] Plain, string[] Shuffled) AssertShuffles(TempDirectory dir, params string[] packArguments)
    {
        string[] plain = Samples(Pack(dir, "plain", null, packArguments));
        string a = Pack(dir, "seed5", "5", packArguments);
        string again = Pack(dir, "seed5-again", "5", packArguments);
        string other = Pack(dir, "seed6", "6", packArguments);

        AssertSameFiles(a, again);
        string[] shuffled = Samples(a);
        string[] otherOrder = Samples(other);
        Assert.IsGreaterThan(10, plain.Length, "a non-trivial input");
        CollectionAssert.AreEquivalent(plain, shuffled, "the shuffled pack holds every sample of the input once");
        CollectionAssert.AreEquivalent(plain, otherOrder, "the shuffled pack holds every sample of the input once");
        CollectionAssert.AreNotEqual(plain, shuffled, "seed 5 kept the input order");
        CollectionAssert.AreNotEqual(shuffled, otherOrder, "seeds 5 and 6 gave the same order");
        return (plain, shuffled);
    }

    /// <summary>Runs a shuffled pack of <paramref name="packArguments"/> that must fail with exit 3; asserts nothing was published and returns standard error.</summary>
    public static string AssertBadData(TempDirectory dir, params string[] packArguments)
    {
        string output = dir.Combine("bad");
        CliResult r = Cli.Run(["pack", .. packArguments, "--shuffle-seed", "5", "-o", output, "--quiet"]);
        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.IsFalse(Directory.Exists(output), "nothing published");
        return r.Error;
    }
}
