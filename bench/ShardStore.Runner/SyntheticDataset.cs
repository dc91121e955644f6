using ShardStore.Codecs;
using ShardStore.Compression;

namespace ShardStore.Runner;

/// <summary>A generated dataset: a schema, a deterministic sample generator, and how to pack and open it.</summary>
internal abstract class SyntheticDataset
{
    /// <summary>The generator state every pack starts from, so the same sample count always yields the same samples.</summary>
    public const ulong InitialState = 0x9E3779B97F4A7C15;

    /// <summary>Gets the short name used in file names, tables and <c>--datasets</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Gets a one-line description of a sample.</summary>
    public abstract string Description { get; }

    public abstract Schema Schema { get; }

    /// <summary>Gets the mean raw bytes of one sample, all fields together.</summary>
    public abstract long BytesPerSample { get; }

    /// <summary>Gets the largest raw bytes one sample can have.</summary>
    protected abstract int MaxBytesPerSample { get; }

    /// <summary>Packs <paramref name="samples"/> samples and returns the sum of their labels, to check the read-back.</summary>
    public long Pack(string path, long samples, CodecKind codec, int threads, int chunkBytes, CancellationToken cancellationToken = default)
    {
        using DatasetWriter writer = DatasetWriter.Create(path, Schema, new DatasetWriterOptions
        {
            Codec = codec,
            Codecs = NativeCodecs.Provider,
            Threads = threads,
            ChunkTargetBytes = chunkBytes,
            Overwrite = true,
        });
        byte[] scratch = new byte[MaxBytesPerSample];
        ulong state = InitialState;
        long labelSum = 0;
        for (long i = 0; i < samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            labelSum += WriteNext(writer, scratch, ref state);
            writer.EndSample();
        }

        writer.Complete(cancellationToken);
        return labelSum;
    }

    /// <summary>Packs with the sample count, codec, threads and chunk size of the options.</summary>
    public long Pack(string path, RunnerOptions options, CancellationToken cancellationToken = default) =>
        Pack(path, options.Samples, options.Codec, options.Threads, options.ChunkBytes, cancellationToken);

    /// <summary>Opens a packed dataset the way a training job would: checksums verified on first touch.</summary>
    public static ShardDataset Open(string path, ShardStore.Storage.ShardReadMode readMode = ShardStore.Storage.ShardReadMode.Auto, bool? directIo = null) =>
        ShardDataset.Open(path, new ShardDatasetOptions
        {
            Codecs = NativeCodecs.Provider,
            Checksums = ChecksumPolicy.FirstTouch,
            ReadMode = readMode,
            DirectIo = directIo,
        });

    /// <summary>xorshift64: fast, deterministic, and good enough for test data.</summary>
    public static ulong Next(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }

    /// <summary>Writes every field of the next sample (without ending it) and returns its label.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="scratch">A buffer of <see cref="MaxBytesPerSample"/> bytes to build the sample in.</param>
    /// <param name="state">The generator state.</param>
    protected abstract long WriteNext(DatasetWriter writer, byte[] scratch, ref ulong state);
}
