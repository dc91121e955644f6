using System.Reflection;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance.Buffers;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals;

namespace ShardStore;

/// <summary>Writes samples into a new dataset directory: chunks of a target size, compressed on all cores, cut into shards.</summary>
/// <remarks>
/// Write each field of a sample once with <see cref="Write{T}(int, ReadOnlySpan{T})"/>, then call
/// <see cref="EndSample"/>. <see cref="Complete"/> finishes the last shard, writes the manifest and moves the
/// directory into place; until then nothing is visible at the target path, and disposing an incomplete
/// writer deletes everything it wrote. The same samples with the same options give byte-identical files.
/// Not thread-safe: one thread writes samples; compression runs in the background.
/// </remarks>
public sealed class DatasetWriter : IDisposable
{
    private readonly Schema _schema;
    private readonly DatasetWriterOptions _options;
    private readonly StagingDirectory _staging;
    private readonly ChunkCodec? _codec;
    private readonly int _level;
    private readonly ChunkBuilder _builder;
    private readonly TaskScheduler _scheduler;
    private readonly int _maxInFlight;
    private readonly Queue<Task<EncodedChunk>> _pending = new();
    private readonly List<ShardInfo> _shards = [];
    private ShardFileWriter? _shard;
    private long _flushedSamples;
    private Exception? _fault;
    private bool _completed;
    private bool _disposed;

    private DatasetWriter(string directory, Schema schema, DatasetWriterOptions options)
    {
        _schema = schema;
        _options = options;
        if (options.Codec != CodecKind.None)
        {
            if (options.Codecs is null || !options.Codecs.TryGetCodec(options.Codec, out _codec))
            {
                throw new ArgumentException(
                    $"Codec {CodecNames.GetName(options.Codec)} needs an implementation: set DatasetWriterOptions.Codecs to NativeCodecs.Provider (ShardStore.Codecs).",
                    nameof(options));
            }

            _level = options.Level ?? _codec.DefaultLevel;
            ArgumentOutOfRangeException.ThrowIfLessThan(_level, _codec.MinLevel, "options.Level");
            ArgumentOutOfRangeException.ThrowIfGreaterThan(_level, _codec.MaxLevel, "options.Level");
        }

        _staging = new StagingDirectory(directory, options.Overwrite);
        _builder = new ChunkBuilder(schema, options.ChunkTargetBytes);
        _scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, options.Threads).ConcurrentScheduler;
        _maxInFlight = options.Threads * 2;
    }

    /// <summary>Gets the schema every sample follows.</summary>
    public Schema Schema => _schema;

    /// <summary>Gets the number of samples ended so far.</summary>
    public long SampleCount { get; private set; }

    /// <summary>Gets the directory the dataset appears at after <see cref="Complete"/>.</summary>
    public string TargetDirectory => _staging.TargetPath;

    /// <summary>Starts a dataset that will appear at <paramref name="directory"/> when completed.</summary>
    /// <param name="directory">Target directory; it must not exist, be empty, or <see cref="DatasetWriterOptions.Overwrite"/> must be set.</param>
    /// <param name="schema">The fields of every sample.</param>
    /// <param name="options">Chunking, codec and threading options; null for the defaults.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the codec has no implementation.</exception>
    /// <exception cref="IOException">The target exists and is not empty, or is a file.</exception>
    public static DatasetWriter Create(string directory, Schema schema, DatasetWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
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

        return new DatasetWriter(directory, schema, options);
    }

    /// <summary>Writes the value of one field of the current sample.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype (see <see cref="DTypeInfo.IsCompatible{T}"/>).</typeparam>
    /// <param name="field">Field index.</param>
    /// <param name="values">The elements: exactly the field's element count for a fixed field, any number for a variable one.</param>
    /// <exception cref="ArgumentException">Wrong element type or count.</exception>
    /// <exception cref="InvalidOperationException">The field was already written for this sample, or the writer is completed or faulted.</exception>
    public void Write<T>(int field, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, _schema.Count);
        FieldSpec spec = _schema[field];
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (!DTypeInfo.IsCompatible<T>(spec.DType))
        {
            throw new ArgumentException($"Field '{spec.Name}' is {DTypeInfo.GetName(spec.DType)}; {typeof(T).Name} values do not fit it.", nameof(values));
        }

        if (bytes.Length % spec.ItemSize != 0 || (!spec.IsVariable && bytes.Length != spec.BytesPerSample))
        {
            throw new ArgumentException(
                $"Field '{spec.Name}' takes {(spec.IsVariable ? $"a multiple of {spec.ItemSize}" : spec.BytesPerSample.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes per sample, got {bytes.Length}.",
                nameof(values));
        }

        if (_builder.IsFieldWritten(field))
        {
            throw new InvalidOperationException($"Field '{spec.Name}' was already written for sample {SampleCount}; call EndSample first.");
        }

        bytes.CopyTo(_builder.AppendField(field, bytes.Length));
    }

    /// <summary>Writes the value of one field of the current sample, by name.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype.</typeparam>
    /// <param name="field">Field name.</param>
    /// <param name="values">The elements.</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    /// <exception cref="ArgumentException">Wrong element type or count.</exception>
    /// <exception cref="InvalidOperationException">The field was already written for this sample, or the writer is completed or faulted.</exception>
    public void Write<T>(string field, ReadOnlySpan<T> values)
        where T : unmanaged => Write(_schema.GetIndex(field), values);

    /// <summary>Writes a scalar field (or a one-element variable field) of the current sample.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype.</typeparam>
    /// <param name="field">Field index.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">Wrong element type, or the field holds more than one element.</exception>
    /// <exception cref="InvalidOperationException">The field was already written for this sample, or the writer is completed or faulted.</exception>
    public void WriteScalar<T>(int field, T value)
        where T : unmanaged => Write(field, new ReadOnlySpan<T>(in value));

    /// <summary>Ends the current sample; every field must have been written.</summary>
    /// <exception cref="InvalidOperationException">A field is missing, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing a finished chunk failed; the writer is faulted.</exception>
    public void EndSample()
    {
        ThrowIfNotWritable();
        int missing = _builder.FirstMissingField();
        if (missing >= 0)
        {
            throw new InvalidOperationException($"Sample {SampleCount} has no value for field '{_schema[missing].Name}'.");
        }

        _builder.CommitSample();
        SampleCount++;
        try
        {
            long target = _options.ChunkTargetBytes;
            long size = _builder.RawSize;
            if (size > target && _builder.Count > 1)
            {
                Submit(_builder.Count - 1);
                size = _builder.RawSize;
            }

            if (size > Array.MaxLength)
            {
                throw new InvalidOperationException($"Sample {SampleCount - 1} takes {size} bytes; a chunk holds at most {Array.MaxLength}.");
            }

            if (size >= target)
            {
                Submit(_builder.Count);
            }
        }
        catch (Exception e)
        {
            _fault ??= e;
            throw;
        }
    }

    /// <summary>Finishes the last chunk and shard, writes the manifest and moves the dataset into place.</summary>
    /// <exception cref="InvalidOperationException">The current sample is incomplete, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing failed; nothing is published.</exception>
    public void Complete()
    {
        ThrowIfNotWritable();
        if (_builder.HasPartialSample)
        {
            throw new InvalidOperationException($"Sample {SampleCount} was started but not ended; call EndSample before Complete.");
        }

        try
        {
            if (_builder.Count > 0)
            {
                Submit(_builder.Count);
            }

            while (_pending.Count > 0)
            {
                WriteNext();
            }

            FinishShard();
            var manifest = new DatasetManifest(
                $"ShardStore {typeof(DatasetWriter).Assembly.GetName().Version?.ToString(3)}",
                _schema,
                SampleCount,
                _codec?.Kind ?? CodecKind.None,
                _codec is null ? 0 : _level,
                _options.ChunkTargetBytes,
                _options.ShardTargetBytes,
                _shards,
                _options.Metadata ?? new Dictionary<string, string>());
            _staging.Publish(FormatConstants.ManifestFileName, ManifestSerializer.Serialize(manifest));
            _completed = true;
        }
        catch (Exception e)
        {
            _fault ??= e;
            throw;
        }
    }

    /// <summary>Stops background work; an incomplete dataset is deleted and never appears at the target.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        while (_pending.Count > 0)
        {
            Task<EncodedChunk> task = _pending.Dequeue();
            try
            {
                task.GetAwaiter().GetResult().Dispose();
            }
            catch (Exception)
            {
                // Only an abandoned writer has chunks pending here; its failure was reported or no longer matters.
            }
        }

        _shard?.Dispose();
        _builder.Dispose();
        _staging.Abandon();
    }

    private void Submit(int samples)
    {
        MemoryOwner<byte> raw = _builder.Seal(samples);
        ChunkCodec? codec = _codec;
        int level = _level;
        _pending.Enqueue(Task.Factory.StartNew(() => EncodedChunk.Encode(raw, samples, codec, level), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler));
        while (_pending.Count > _maxInFlight)
        {
            WriteNext();
        }
    }

    private void WriteNext()
    {
        using EncodedChunk chunk = _pending.Dequeue().GetAwaiter().GetResult();
        if (_shard is not null && _shard.ChunkCount > 0 && _shard.ProjectedLength(chunk) > _options.ShardTargetBytes)
        {
            FinishShard();
        }

        _shard ??= new ShardFileWriter(Path.Combine(_staging.StagingPath, FormatConstants.ShardFileName(_shards.Count)), _schema, _shards.Count, _flushedSamples);
        _shard.Append(chunk);
        _flushedSamples += chunk.SampleCount;
    }

    private void FinishShard()
    {
        if (_shard is null)
        {
            return;
        }

        ShardInfo info = _shard.Finish();
        _shard.Dispose();
        _shard = null;
        _shards.Add(info);
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The dataset is already complete.");
        }

        if (_fault is not null)
        {
            throw new InvalidOperationException("The writer failed earlier and can only be disposed; nothing was published.", _fault);
        }
    }
}
