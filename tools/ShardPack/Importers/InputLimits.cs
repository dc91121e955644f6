using System.CommandLine;
using ShardPack.Commands;

namespace ShardPack.Importers;

/// <summary>
/// The <c>shardpack pack</c> options that bound what one line or record of an input may cost, and where the files
/// importer may read. Buffers grow only as bytes arrive, so a length an input merely declares allocates nothing.
/// </summary>
internal sealed class InputLimits
{
    /// <summary>16 MiB: a line is held as UTF-16 while parsed, so the default costs at most 32 MiB plus the growth copy, well within a 256 MiB heap.</summary>
    public const int DefaultMaxLineBytes = 16 << 20;

    /// <summary>64 MiB: the largest record or file sample accepted unless raised.</summary>
    public const int DefaultMaxRecordBytes = 64 << 20;

    /// <summary>Gets <c>--max-line-bytes</c>.</summary>
    public Option<string> MaxLineBytes { get; } = new("--max-line-bytes")
    {
        Description = "Longest line or CSV record accepted (csv, ctf, files manifest), e.g. 16M; longer is an error naming the line.",
        DefaultValueFactory = _ => "16M",
    };

    /// <summary>Gets <c>--max-record-bytes</c>.</summary>
    public Option<string> MaxRecordBytes { get; } = new("--max-record-bytes")
    {
        Description = "Largest TFRecord record, CTF sequence of one stream, or file (--from files) accepted, e.g. 64M; larger is an error naming it.",
        DefaultValueFactory = _ => "64M",
    };

    /// <summary>Gets <c>--allow-outside-paths</c>.</summary>
    public Option<bool> AllowOutsidePaths { get; } = new("--allow-outside-paths")
    {
        Description = "Let --from files read paths outside the manifest's folder (absolute paths, '..', symlinks leaving it).",
    };

    /// <summary>Gets the options, to add to the pack command.</summary>
    public IEnumerable<Option> All => [MaxLineBytes, MaxRecordBytes, AllowOutsidePaths];

    /// <summary>Reads <c>--max-line-bytes</c>.</summary>
    /// <exception cref="UsageException">Not a size, or above 1 GiB.</exception>
    public int GetMaxLineBytes(ParseResult result) => ParseLimit(result.GetValue(MaxLineBytes)!, "--max-line-bytes");

    /// <summary>Reads <c>--max-record-bytes</c>.</summary>
    /// <exception cref="UsageException">Not a size, or above 1 GiB.</exception>
    public int GetMaxRecordBytes(ParseResult result) => ParseLimit(result.GetValue(MaxRecordBytes)!, "--max-record-bytes");

    /// <summary>Reads <c>--allow-outside-paths</c>.</summary>
    public bool GetAllowOutsidePaths(ParseResult result) => result.GetValue(AllowOutsidePaths);

    /// <summary>Parses a limit such as <c>64M</c>; limits are at most 1 GiB so that every buffer index stays an <see cref="int"/>.</summary>
    /// <exception cref="UsageException">Not a size, or above 1 GiB.</exception>
    public static int ParseLimit(string text, string option)
    {
        long value = SharedOptions.ParseSize(text, option);
        return value <= 1 << 30 ? (int)value : throw new UsageException($"{option} '{text}' is above the 1G maximum.");
    }
}
