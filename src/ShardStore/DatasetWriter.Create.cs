using System.Diagnostics.CodeAnalysis;
using ShardStore.Storage;

namespace ShardStore;

/// <content>The factories: a dataset written to a local directory, or published to object storage.</content>
public sealed partial class DatasetWriter
{
    /// <summary>Starts a dataset that will appear at <paramref name="directory"/> when completed.</summary>
    /// <param name="directory">Target directory; it must not exist, be empty, or <see cref="DatasetWriterOptions.Overwrite"/> must be set.</param>
    /// <param name="schema">The fields of every sample.</param>
    /// <param name="options">Chunking, codec and threading options; null for the defaults.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the codec has no implementation.</exception>
    /// <exception cref="IOException">The target exists and is not empty, or is a file.</exception>
    [SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "The overloads differ in the type of their first parameter, so no call can bind to the other one.")]
    public static DatasetWriter Create(string directory, Schema schema, DatasetWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options = CheckArguments(schema, options);
        return new DatasetWriter(directory, null, schema, options);
    }

    /// <summary>Starts a dataset that will be published through <paramref name="publisher"/> (for example to <c>s3://bucket/prefix</c>) when completed.</summary>
    /// <param name="publisher">The object storage location; the caller keeps it and disposes it after the writer.</param>
    /// <param name="schema">The fields of every sample.</param>
    /// <param name="options">Chunking, codec and threading options; null for the defaults.</param>
    /// <returns>The writer.</returns>
    /// <remarks>
    /// <para>Each shard is written to a local file under <see cref="DatasetWriterOptions.UploadStagingDirectory"/>, uploaded
    /// as soon as it is finished, while the next ones are written, and its file deleted once uploaded: the local disk holds
    /// at most five shards at a time. Shard objects are named <c>shard-NNNNN-IDENTITY.shard</c>, with the dataset's identity,
    /// so that they never overwrite an object of another dataset. <see cref="Complete()"/> waits for every upload, then puts
    /// <c>manifest.json</c> last, in one request: a reader finds either no manifest or the complete dataset. Disposing an
    /// incomplete writer, or a failure, aborts the uploads in progress and deletes the shard objects already uploaded.</para>
    /// <para>An object store has no atomic directory swap. With <see cref="DatasetWriterOptions.Overwrite"/>, the objects of
    /// the replaced dataset are deleted only after the new manifest is in place: a reader that opened the old dataset keeps
    /// reading it until then, and later fails with a "dataset replaced" error (its objects are gone), never with wrong data;
    /// a reader that opens after the new manifest is in place sees the new dataset whole.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">An option is out of range, or the codec has no implementation.</exception>
    /// <exception cref="IOException">The location holds objects and <see cref="DatasetWriterOptions.Overwrite"/> is not set; with it, it holds something other than a dataset, or a dataset of the identity set in <see cref="DatasetWriterOptions.Identity"/>; or the storage failed.</exception>
    public static DatasetWriter Create(IDatasetPublisher publisher, Schema schema, DatasetWriterOptions? options)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        options = CheckArguments(schema, options);
        return new DatasetWriter(null, publisher, schema, options);
    }

    /// <summary>Starts a new generation of the dataset in <paramref name="directory"/>: the samples written are added after its samples when completed.</summary>
    /// <param name="directory">An existing local dataset directory.</param>
    /// <param name="schema">The fields of every sample; they must be the dataset's.</param>
    /// <param name="options">Chunking, codec and threading options for the new shards; null for the defaults. <see cref="DatasetWriterOptions.Overwrite"/> must not be set.</param>
    /// <returns>The writer.</returns>
    /// <remarks>
    /// <para>The new shards are written into a hidden sibling directory. <see cref="Complete()"/> keeps the current
    /// <c>manifest.json</c> as <c>generations/N.json</c> (N its generation), moves the new shards into the directory, and
    /// renames a new manifest, generation N + 1, over <c>manifest.json</c>: until that rename readers, and a crash, see
    /// generation N whole; after it, new readers see N + 1. Old samples keep their indices, the new ones follow. A dataset
    /// or loader opened on generation N keeps reading exactly it, and <see cref="ShardDatasetOptions.Generation"/>
    /// opens it again later. Metadata entries of <paramref name="options"/> are added to the dataset's (replacing
    /// entries of the same key); the dataset keeps its identity, codec and chunk size entries. One append at a time per
    /// dataset: a second one fails with an <see cref="IOException"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">An option is out of range or <see cref="DatasetWriterOptions.Overwrite"/> is set, the codec has no implementation, or <paramref name="schema"/> (or <see cref="DatasetWriterOptions.Identity"/>) differs from the dataset's; the message names both.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">The directory holds no valid dataset; the message names the manifest.</exception>
    /// <exception cref="IOException">Another writer is appending to the dataset, or the file system failed.</exception>
    public static DatasetWriter Append(string directory, Schema schema, DatasetWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options = CheckArguments(schema, options);
        if (options.Overwrite)
        {
            throw new ArgumentException("DatasetWriterOptions.Overwrite replaces a dataset; an append keeps it. Leave Overwrite unset.", nameof(options));
        }

        return new DatasetWriter(directory, null, schema, options, append: true);
    }

    private static DatasetWriterOptions CheckArguments(Schema schema, DatasetWriterOptions? options)
    {
        ArgumentNullException.ThrowIfNull(schema);
        options ??= new DatasetWriterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkTargetBytes, 1, "options.ChunkTargetBytes");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ChunkTargetBytes, DatasetWriterOptions.MaxChunkTargetBytes, "options.ChunkTargetBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardTargetBytes, 1, "options.ShardTargetBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, "options.Threads");
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ShardStore files are little-endian and this build reads and writes them on little-endian machines only.");
        }

        return options;
    }
}
