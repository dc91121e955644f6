using System.Globalization;
using System.Text;

namespace ShardStore;

/// <summary>
/// Builds the <see cref="InvalidDataException"/> thrown for every malformed or corrupt dataset, shard,
/// manifest or input file. The message names the file and the place (shard, chunk, line, record, byte
/// offset); the same facts are in <see cref="Exception.Data"/> under the keys below, for programs.
/// </summary>
/// <remarks><see cref="InvalidDataException"/> is sealed, so ShardStore throws it directly rather than a subclass.</remarks>
public static class DataErrors
{
    /// <summary>Key in <see cref="Exception.Data"/> of the bad file's path (string).</summary>
    public const string FileKey = "ShardStore.File";

    /// <summary>Key in <see cref="Exception.Data"/> of the shard index (int).</summary>
    public const string ShardKey = "ShardStore.Shard";

    /// <summary>Key in <see cref="Exception.Data"/> of the chunk index within the shard (long).</summary>
    public const string ChunkKey = "ShardStore.Chunk";

    /// <summary>Key in <see cref="Exception.Data"/> of the byte offset in the file (long).</summary>
    public const string ByteOffsetKey = "ShardStore.ByteOffset";

    /// <summary>Key in <see cref="Exception.Data"/> of the 1-based line of a text input (long).</summary>
    public const string LineKey = "ShardStore.Line";

    /// <summary>Key in <see cref="Exception.Data"/> of the 0-based record (sample, row) of an input (long).</summary>
    public const string RecordKey = "ShardStore.Record";

    /// <summary>Creates the exception; its message is the location followed by the problem.</summary>
    /// <param name="problem">What was wrong and, where it helps, what to do.</param>
    /// <param name="filePath">The bad file.</param>
    /// <param name="shard">Shard index.</param>
    /// <param name="chunk">Chunk index within the shard.</param>
    /// <param name="byteOffset">Byte offset within the file.</param>
    /// <param name="line">1-based line of a text input.</param>
    /// <param name="record">0-based record of an input.</param>
    /// <param name="innerException">The underlying error.</param>
    /// <returns>The exception, ready to throw.</returns>
    public static InvalidDataException Create(
        string problem,
        string? filePath,
        int? shard = null,
        long? chunk = null,
        long? byteOffset = null,
        long? line = null,
        long? record = null,
        Exception? innerException = null)
    {
        var sb = new StringBuilder();
        if (filePath is not null)
        {
            sb.Append('\'').Append(filePath).Append('\'');
        }

        void Part(string label, long? value)
        {
            if (value is { } v)
            {
                sb.Append(sb.Length == 0 ? string.Empty : ", ").Append(label).Append(' ').Append(v.ToString(CultureInfo.InvariantCulture));
            }
        }

        Part("shard", shard);
        Part("chunk", chunk);
        Part("line", line);
        Part("record", record);
        Part("byte offset", byteOffset);
        sb.Append(sb.Length == 0 ? string.Empty : ": ").Append(problem);

        var e = new InvalidDataException(sb.ToString(), innerException);
        Add(e, FileKey, filePath);
        Add(e, ShardKey, shard);
        Add(e, ChunkKey, chunk);
        Add(e, ByteOffsetKey, byteOffset);
        Add(e, LineKey, line);
        Add(e, RecordKey, record);
        return e;
    }

    private static void Add(Exception e, string key, object? value)
    {
        if (value is not null)
        {
            e.Data[key] = value;
        }
    }
}
