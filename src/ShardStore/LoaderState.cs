using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using ShardStore.Internals.Reading;

namespace ShardStore;

/// <summary>Where a <see cref="ShardLoader"/> stands: enough to continue with exactly the batches still to come.</summary>
/// <remarks>
/// <see cref="Position"/> counts samples of the epoch's global order (all ranks together) that were handed out,
/// so a state taken on any rank of a lock-step job is the same, and it can resume with another world size.
/// Serialized with <see cref="ToBytes"/> it is a few hundred bytes of JSON.
/// </remarks>
public sealed record LoaderState
{
    private const int FormatVersion = 1;
    private const int MaxBytes = 4096;

    /// <summary>Gets the <see cref="ShardDataset.Fingerprint"/> of the dataset the state belongs to.</summary>
    public required string DatasetFingerprint { get; init; }

    /// <summary>
    /// Gets the <see cref="ShardDataset.Identity"/> of the dataset the state belongs to, or null when that dataset has
    /// none or the state was saved before identities existed.
    /// </summary>
    public string? DatasetIdentity { get; init; }

    /// <summary>
    /// Gets the generation of the dataset (<see cref="ShardDataset.Generation"/>) that <see cref="Epoch"/> runs on, or
    /// null for a state saved before generations. A loader on a newer generation finishes that epoch on this
    /// generation's samples and reads the newer samples from the next epoch on.
    /// </summary>
    public int? DatasetGeneration { get; init; }

    /// <summary>Gets the shuffle seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Gets the sample order.</summary>
    public required SampleOrder Order { get; init; }

    /// <summary>Gets the batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the window size in chunks.</summary>
    public required int WindowChunks { get; init; }

    /// <summary>Gets the number of logical partitions.</summary>
    public required int LogicalPartitions { get; init; }

    /// <summary>Gets whether incomplete batches are dropped.</summary>
    public required bool DropLast { get; init; }

    /// <summary>Gets the epoch the next batch belongs to.</summary>
    public required int Epoch { get; init; }

    /// <summary>Gets the number of samples of that epoch's global order already handed out, over all ranks.</summary>
    public required long Position { get; init; }

    /// <summary>Gets the world size when the state was taken (for information; a resume may use another).</summary>
    public required int WorldSize { get; init; }

    /// <summary>
    /// Gets the <see cref="DatasetMixture.Descriptor"/> of the mixture the state belongs to (its parameters and each
    /// stream's short fingerprint; <see cref="DatasetFingerprint"/> is then the mixture's), or null for one dataset.
    /// </summary>
    public string? Mixture { get; init; }

    /// <summary>Gets this rank's ledger of <see cref="Epoch"/> up to <see cref="Position"/> (<see cref="ShardLoaderOptions.Ledger"/>), or null when none is kept.</summary>
    public LoaderLedger? Ledger { get; init; }

    /// <summary>Gets this rank's ledger of the epoch before <see cref="Epoch"/>, whole, or null when none is kept or no epoch has ended.</summary>
    public LoaderLedger? PreviousLedger { get; init; }

    /// <summary>
    /// Gets the version of the order function that computed <see cref="Position"/>'s order; a loader refuses to resume
    /// from another. 1 for states saved before versions were recorded; Window order is at version 2. Default 1.
    /// </summary>
    public int OrderVersion { get; init; } = 1;

    /// <summary>Gets the Window order piece size in samples, or null when it was chosen from the dataset.</summary>
    public int? WindowPieceSamples { get; init; }

    /// <summary>Serializes the state as compact UTF-8 JSON.</summary>
    /// <returns>The bytes; <see cref="FromBytes"/> reads them back.</returns>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("version", FormatVersion);
            w.WriteString("dataset", DatasetFingerprint);
            if (DatasetIdentity is not null)
            {
                w.WriteString("datasetIdentity", DatasetIdentity);
            }
            if (DatasetGeneration is { } generation)
            {
                w.WriteNumber("generation", generation);
            }

            w.WriteString("seed", Seed.ToString(CultureInfo.InvariantCulture));
            w.WriteString("order", Order.ToString());
            w.WriteNumber("batchSize", BatchSize);
            w.WriteNumber("windowChunks", WindowChunks);
            w.WriteNumber("partitions", LogicalPartitions);
            w.WriteBoolean("dropLast", DropLast);
            w.WriteNumber("epoch", Epoch);
            w.WriteNumber("position", Position);
            w.WriteNumber("worldSize", WorldSize);
            if (Mixture is not null)
            {
                w.WriteString("mixture", Mixture);
            }

            Internals.Loading.LoaderLedgerJson.Write(w, "ledger", Ledger, LedgerDefaults(Epoch, DatasetGeneration, Position, WorldSize));
            Internals.Loading.LoaderLedgerJson.Write(w, "previousLedger", PreviousLedger, PreviousLedgerDefaults(Epoch, DatasetGeneration, WorldSize, Ledger));
            w.WriteNumber("orderVersion", OrderVersion);
            if (WindowPieceSamples is { } piece)
            {
                w.WriteNumber("windowPieceSamples", piece);
            }
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Reads a state written by <see cref="ToBytes"/>.</summary>
    /// <param name="bytes">The serialized state.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid loader state.</exception>
    public static LoaderState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw Invalid($"it is {bytes.Length} bytes, more than a state can be");
        }

        try
        {
            // Parse, not ParseValue: content after the object (a second state appended, garbage) is an error.
            using JsonDocument doc = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            JsonElement root = doc.RootElement;
            int version = root.GetProperty("version").GetInt32();
            if (version != FormatVersion)
            {
                throw Invalid($"version {version} is not the supported {FormatVersion}");
            }

            int epoch = root.GetProperty("epoch").GetInt32();
            long position = root.GetProperty("position").GetInt64();
            int worldSize = root.GetProperty("worldSize").GetInt32();
            int? datasetGeneration = root.TryGetProperty("generation", out JsonElement generation)
                ? generation.GetInt32() is int g and >= 1 ? g : throw Invalid("generation is not a positive integer")
                : null;
            LoaderLedger? ledger = Internals.Loading.LoaderLedgerJson.Read(root, "ledger", LedgerDefaults(epoch, datasetGeneration, position, worldSize));
            var state = new LoaderState
            {
                DatasetFingerprint = root.GetProperty("dataset").GetString() ?? throw Invalid("dataset is null"),
                DatasetIdentity = root.TryGetProperty("datasetIdentity", out JsonElement identity)
                    ? Format.DatasetIdentity.TryParse(identity.GetString(), out _) ? identity.GetString() : throw Invalid("datasetIdentity is not 32 lower-case hex digits")
                    : null,
                DatasetGeneration = datasetGeneration,
                Seed = ulong.Parse(root.GetProperty("seed").GetString() ?? "", NumberStyles.None, CultureInfo.InvariantCulture),
                Order = Enum.TryParse(root.GetProperty("order").GetString(), ignoreCase: false, out SampleOrder order) && Enum.IsDefined(order)
                    ? order
                    : throw Invalid("order is not Sequential, Window or Random"),
                BatchSize = root.GetProperty("batchSize").GetInt32(),
                WindowChunks = root.GetProperty("windowChunks").GetInt32(),
                LogicalPartitions = root.GetProperty("partitions").GetInt32(),
                DropLast = root.GetProperty("dropLast").GetBoolean(),
                Epoch = epoch,
                Position = position,
                WorldSize = worldSize,
                Mixture = root.TryGetProperty("mixture", out JsonElement mixture) ? mixture.GetString() ?? throw Invalid("mixture is null") : null,
                Ledger = ledger,
                PreviousLedger = Internals.Loading.LoaderLedgerJson.Read(root, "previousLedger", PreviousLedgerDefaults(epoch, datasetGeneration, worldSize, ledger)),
                OrderVersion = root.TryGetProperty("orderVersion", out JsonElement orderVersion) ? orderVersion.GetInt32() : 1,
                WindowPieceSamples = root.TryGetProperty("windowPieceSamples", out JsonElement piece) ? piece.GetInt32() : null,
            };
            if (state.OrderVersion < 1 || state.WindowPieceSamples < 0 || state.BatchSize < 1 || state.WindowChunks < 1 || state.LogicalPartitions < 1 || state.Epoch < 0 || state.Position < 0 || state.WorldSize < 1)
            {
                throw Invalid("a count is out of range");
            }

            return state;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or OverflowException or InvalidOperationException)
        {
            throw Invalid(e.Message, e);
        }
    }

    /// <summary>
    /// Writes the state to <paramref name="path"/> atomically: to a temporary file in the same directory, flushed to
    /// disk, renamed over <paramref name="path"/>, and the directory flushed (on Linux), so a crash leaves either the
    /// previous state or this one, never a partial file.
    /// </summary>
    /// <param name="path">The file to write; its directory must exist.</param>
    /// <exception cref="IOException">Writing, flushing or renaming failed; the previous file, if any, is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(path)!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        byte[] bytes = ToBytes();
        using (SafeFileHandle handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            try
            {
                RandomAccess.Write(handle, bytes, 0);
                RandomAccess.FlushToDisk(handle);
            }
            catch
            {
                handle.Dispose();
                File.Delete(temporary);
                throw;
            }
        }

        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        Internals.Publishing.PhysicalWriterFileSystem.Instance.FlushDirectory(directory);
    }

    /// <summary>Reads a state written by <see cref="Save"/> (or the bytes of <see cref="ToBytes"/> in a file).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a regular file or not a valid loader state; the message names it.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    public static LoaderState Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeFileHandle handle = RegularFile.TryOpenRead(path, out _, out string? kind)
            ?? throw DataErrors.Create($"{kind} stands where the loader state should be, not a regular file", path);
        using (handle)
        {
            // One byte more than a state may have, so an oversized file is refused without reading all of it.
            byte[] buffer = new byte[MaxBytes + 1];
            int length = 0;
            for (int read; length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0;)
            {
                length += read;
            }

            try
            {
                return FromBytes(buffer.AsSpan(0, length));
            }
            catch (InvalidDataException e)
            {
                throw DataErrors.Create(e.Message, path, innerException: e);
            }
        }
    }

    // What a serialized ledger leaves out: the state's epoch, generation, position and world size.
    private static Internals.Loading.LoaderLedgerJson.Defaults LedgerDefaults(int epoch, int? generation, long position, int worldSize) =>
        new(epoch, generation, 0, position, null, worldSize);

    // What a serialized previous ledger leaves out: the epoch before the state's, its generation, and the current ledger's rank and world size.
    private static Internals.Loading.LoaderLedgerJson.Defaults PreviousLedgerDefaults(int epoch, int? generation, int worldSize, LoaderLedger? ledger) =>
        new(epoch - 1, generation, 0, null, ledger?.Rank, ledger?.WorldSize ?? worldSize);

    private static InvalidDataException Invalid(string problem, Exception? inner = null) =>
        new($"Not a ShardStore loader state: {problem}.", inner);
}
