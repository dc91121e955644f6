using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using CommunityToolkit.HighPerformance.Buffers;
using Microsoft.Win32.SafeHandles;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Internals.Publishing;
using ShardStore.Internals.Writing;
using ShardStore.Storage;

namespace ShardStore;

/// <summary>Writes samples into a new dataset directory: chunks of a target size, compressed on all cores, cut into shards.</summary>
/// <remarks>
/// Write each field of a sample once with <see cref="Write{T}(int, ReadOnlySpan{T})"/>, then call
/// <see cref="EndSample"/>; or, when every field is fixed-shape, fill runs of samples in place with
/// <see cref="ReserveSamples"/>. <see cref="Complete()"/> finishes the last shard, waits until every shard is on disk,
/// writes the manifest and moves the directory into place; until then nothing is visible at the target path, and
/// disposing an incomplete writer deletes everything it wrote. Each dataset gets a random identity
/// (<see cref="DatasetWriterOptions.Identity"/>); the same samples with the same options and identity give
/// byte-identical files. Not thread-safe: one thread writes samples; compression and flushing run in the background.
/// </remarks>
public sealed partial class DatasetWriter : IDisposable
{
    private const int MaxShardsFlushing = 4;

    private readonly Schema _schema;
    private readonly DatasetWriterOptions _options;
    private readonly IDatasetStaging _staging;
    private readonly ChunkCodec? _codec;
    private readonly int _level;
    private readonly ChunkBuilder _builder;
    private readonly Action<SafeFileHandle> _flushToDisk;
    private readonly TaskScheduler _scheduler;
    private readonly int _maxInFlight;
    private readonly DatasetIdentity _identity;

    // Set in the constructor for an append: the staging, and where the new shards and samples start.
    private readonly AppendStaging? _append;
    private readonly int _firstShard;
    private readonly long _firstSample;
    private readonly Queue<Task<EncodedChunk>> _pending = new();
    private readonly Queue<Task> _flushing = new();
    private readonly List<ShardInfo> _shards = [];
    private ShardFileWriter? _shard;
    private long _flushedSamples;
    private int _reserved;
    private Exception? _fault;
    private bool _completed;
    private bool _disposed;

    private DatasetWriter(string? directory, IDatasetPublisher? publisher, Schema schema, DatasetWriterOptions options, bool append = false)
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

        if (append)
        {
            // The new shards carry the dataset's identity and follow its shards and samples.
            _append = new AppendStaging(directory!, schema, options.Identity, options.FileSystem);
            _staging = _append;
            _identity = _append.Old.Identity;
            _firstShard = _append.Old.Shards.Count;
            _firstSample = _append.Old.SampleCount;
        }
        else
        {
            if (options.Identity is null)
            {
                _identity = DatasetIdentity.NewRandom();
            }
            else if (!DatasetIdentity.TryParse(options.Identity, out _identity))
            {
                throw new ArgumentException($"DatasetWriterOptions.Identity '{options.Identity}' is not 32 lower-case hex digits (not all zero).", nameof(options));
            }

            _staging = publisher is null
                ? new StagingDirectory(directory!, options.Overwrite, options.FileSystem)
                : new ObjectStorageStaging(publisher, options.Overwrite, _identity, options.UploadStagingDirectory, options.FileSystem);
        }

        try
        {
            _builder = ChunkBuilder.Create(schema, options.ChunkTargetBytes);
        }
        catch
        {
            _staging.Abandon();
            throw;
        }

        // A shard that is uploaded and then deleted gains nothing from reaching the disk first.
        _flushToDisk = _staging.FlushesShards ? options.FlushToDisk ?? options.FileSystem.FlushFile : static _ => { };
        _scheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, options.Threads).ConcurrentScheduler;
        _maxInFlight = options.Threads * 2;
    }

    /// <summary>Gets the schema every sample follows.</summary>
    public Schema Schema => _schema;

    /// <summary>Gets the number of samples ended so far (for an append, the samples added, not counting the dataset's).</summary>
    public long SampleCount { get; private set; }

    /// <summary>Gets the directory (or, for a publisher, its location such as <c>s3://bucket/prefix</c>) the dataset appears at after <see cref="Complete()"/>.</summary>
    public string TargetDirectory => _staging.TargetPath;

    /// <summary>Writes the value of one field of the current sample.</summary>
    /// <typeparam name="T">Element type compatible with the field's dtype (see <see cref="DTypeInfo.IsCompatible{T}"/>).</typeparam>
    /// <param name="field">Field index.</param>
    /// <param name="values">The elements: exactly the field's element count for a fixed field, any number for a variable one.</param>
    /// <exception cref="ArgumentException">Wrong element type or count.</exception>
    /// <exception cref="InvalidOperationException">The field was already written for this sample, samples are reserved, or the writer is completed or faulted.</exception>
    public void Write<T>(int field, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        ThrowIfNotWritable();
        ThrowIfReserved();
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
    /// <exception cref="InvalidOperationException">A field is missing, samples are reserved, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing a finished chunk failed; the writer is faulted.</exception>
    public void EndSample()
    {
        ThrowIfNotWritable();
        ThrowIfReserved();
        int missing = _builder.FirstMissingField();
        if (missing >= 0)
        {
            throw new InvalidOperationException($"Sample {SampleCount} has no value for field '{_schema[missing].Name}'.");
        }

        _builder.CommitSample();
        SampleCount++;
        try
        {
            if (_builder.SamplesPerChunk > 0)
            {
                if (_builder.Count == _builder.SamplesPerChunk)
                {
                    Submit(_builder.Count);
                }

                return;
            }

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

    /// <summary>Reserves room in the chunk being built for a run of whole samples, to be filled in place field by field.</summary>
    /// <param name="maxSamples">The most samples the caller has ready to write.</param>
    /// <returns>The number of samples reserved, from 1 to <paramref name="maxSamples"/>: fewer when the chunk fills up first.</returns>
    /// <remarks>
    /// For bulk importers of fixed-shape data: fill all of <see cref="GetReservedField"/> for every field (what it holds
    /// before is unspecified), then call <see cref="CommitReservedSamples"/>. The values go straight into the chunk
    /// without passing through a buffer of the caller's, and the files are the same as when the samples are written
    /// one by one.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSamples"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">A field is variable-length, a sample is partly written, samples are already reserved, or the writer is completed or faulted.</exception>
    public int ReserveSamples(int maxSamples)
    {
        ThrowIfNotWritable();
        ThrowIfReserved();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamples, 1);
        if (_builder.SamplesPerChunk == 0)
        {
            FieldSpec? variable = _schema.Fields.FirstOrDefault(f => f.IsVariable);
            throw new InvalidOperationException(variable is not null
                ? $"Field '{variable.Name}' is variable-length; write samples with Write and EndSample."
                : $"A sample takes {ChunkLayout.ComputeRawSize(_schema, 1, default)} bytes; a chunk holds at most {Array.MaxLength}.");
        }

        if (_builder.HasPartialSample)
        {
            throw new InvalidOperationException($"Sample {SampleCount} was started but not ended; call EndSample before ReserveSamples.");
        }

        _reserved = _builder.Reserve(maxSamples);
        return _reserved;
    }

    /// <summary>Gets where the values of one field of the reserved samples go: sample after sample, each the field's <see cref="FieldSpec.BytesPerSample"/> bytes, little-endian.</summary>
    /// <param name="field">Field index.</param>
    /// <returns>The bytes to fill; valid until <see cref="CommitReservedSamples"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is not a field index.</exception>
    /// <exception cref="InvalidOperationException">No samples are reserved, or the writer is completed or faulted.</exception>
    public Span<byte> GetReservedField(int field)
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, _schema.Count);
        ThrowIfNotReserved();
        return _builder.GetReserved(field, _reserved);
    }

    /// <summary>Ends the samples reserved by <see cref="ReserveSamples"/>; every reserved byte of every field must have been filled.</summary>
    /// <exception cref="InvalidOperationException">No samples are reserved, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing a finished chunk failed; the writer is faulted.</exception>
    public void CommitReservedSamples()
    {
        ThrowIfNotWritable();
        ThrowIfNotReserved();
        _builder.CommitReserved(_reserved);
        SampleCount += _reserved;
        _reserved = 0;
        try
        {
            if (_builder.Count == _builder.SamplesPerChunk)
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

    /// <summary>Finishes the last chunk and shard, waits until every shard is on disk, writes the manifest and moves the dataset into place.</summary>
    /// <exception cref="InvalidOperationException">The current sample is incomplete, samples are reserved, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing or flushing failed, or the target may no longer be replaced; nothing is published.</exception>
    public void Complete() => Complete(CancellationToken.None);

    /// <summary>Finishes the last chunk and shard, waits until every shard is on disk, writes the manifest and moves the dataset into place, unless cancelled first.</summary>
    /// <param name="cancellationToken">Cancels the work up to the moment the dataset replaces the target; a cancelled writer publishes nothing and deletes what it wrote.</param>
    /// <exception cref="InvalidOperationException">The current sample is incomplete, samples are reserved, or the writer is completed or faulted.</exception>
    /// <exception cref="IOException">Writing or flushing failed, or the target may no longer be replaced; nothing is published.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is published.</exception>
    public void Complete(CancellationToken cancellationToken)
    {
        ThrowIfNotWritable();
        ThrowIfReserved();
        if (_builder.HasPartialSample)
        {
            throw new InvalidOperationException($"Sample {SampleCount} was started but not ended; call EndSample before Complete.");
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_builder.Count > 0)
            {
                Submit(_builder.Count);
            }

            while (_pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                WriteNext();
            }

            FinishShard();

            // A dataset is published only once every shard it lists is durable.
            long flushStart = Stopwatch.GetTimestamp();
            while (_flushing.Count > 0)
            {
                Task flush = _flushing.Dequeue();
                try
                {
                    flush.Wait(cancellationToken);
                }
                catch (AggregateException)
                {
                    // The flush failed; GetResult below rethrows its own exception, unwrapped.
                }
                catch (OperationCanceledException)
                {
                    // Dispose waits for the flush before it deletes the file.
                    _flushing.Enqueue(flush);
                    throw;
                }

                flush.GetAwaiter().GetResult();
            }

            WriterMetrics.FlushWait.Add(Stopwatch.GetElapsedTime(flushStart).TotalSeconds);
            var manifest = new DatasetManifest(
                $"ShardStore {typeof(DatasetWriter).Assembly.GetName().Version?.ToString(3)}",
                _schema,
                SampleCount,
                _codec?.Kind ?? CodecKind.None,
                _codec is null ? 0 : _level,
                _options.ChunkTargetBytes,
                _options.ShardTargetBytes,
                _shards,
                _options.Metadata ?? new Dictionary<string, string>(),
                _identity);
            if (_append is not null)
            {
                manifest = _append.Extend(manifest, DateTimeOffset.UtcNow);
            }

            _staging.Publish(FormatConstants.ManifestFileName, ManifestSerializer.Serialize(manifest), cancellationToken);
            _completed = true;
        }
        catch (Exception e)
        {
            _fault ??= e;
            if (e is OperationCanceledException)
            {
                Dispose();
            }

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
        _staging.CancelPending();

        // Flushes close their files and uploads read them; wait for them so that the staging directory can be deleted.
        while (_flushing.Count > 0)
        {
            Task flush = _flushing.Dequeue();
            try
            {
                flush.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // Only an abandoned writer has flushes pending here; its failure was reported or no longer matters.
            }
        }

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
        long waitStart = Stopwatch.GetTimestamp();
        using EncodedChunk chunk = _pending.Dequeue().GetAwaiter().GetResult();
        WriterMetrics.EncodeWait.Add(Stopwatch.GetElapsedTime(waitStart).TotalSeconds);
        if (_shard is not null && _shard.ChunkCount > 0 && _shard.ProjectedLength(chunk) > _options.ShardTargetBytes)
        {
            FinishShard();
        }

        int index = _firstShard + _shards.Count;
        _shard ??= new ShardFileWriter(Path.Combine(_staging.StagingPath, _staging.ShardFileName(index)), _schema, index, _firstSample + _flushedSamples, _options.FileSystem, _flushToDisk, _options.FlushIntervalBytes, _identity);
        _shard.Append(chunk);
        _flushedSamples += chunk.SampleCount;
        WriterMetrics.Samples.Add(chunk.SampleCount);
        WriterMetrics.BytesIn.Add(chunk.RawLength);
        WriterMetrics.BytesOut.Add(chunk.Stored.Length);
        WriterMetrics.Chunks.Add(1);
    }

    private void FinishShard()
    {
        if (_shard is null)
        {
            return;
        }

        ShardInfo info = _shard.Finish(out Task durable);
        _shard = null;
        _shards.Add(info);
        _flushing.Enqueue(_staging.ShardFinished(info, durable));
        WriterMetrics.Shards.Add(1);

        // Collecting finished flushes here reports a failure early; the bound caps open files, flush threads and the
        // shards staged on the local disk for a publisher.
        long waitStart = Stopwatch.GetTimestamp();
        while (_flushing.Count > 0 && (_flushing.Count > MaxShardsFlushing || _flushing.Peek().IsCompleted))
        {
            _flushing.Dequeue().GetAwaiter().GetResult();
        }

        WriterMetrics.FlushWait.Add(Stopwatch.GetElapsedTime(waitStart).TotalSeconds);
    }

    private void ThrowIfReserved()
    {
        if (_reserved > 0)
        {
            throw new InvalidOperationException($"{_reserved} samples are reserved; fill them and call CommitReservedSamples first.");
        }
    }

    private void ThrowIfNotReserved()
    {
        if (_reserved == 0)
        {
            throw new InvalidOperationException("No samples are reserved; call ReserveSamples first.");
        }
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
