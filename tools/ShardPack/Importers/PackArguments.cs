namespace ShardPack.Importers;

/// <summary>The options of <c>shardpack pack</c> that describe the input; each importer reads the ones it needs.</summary>
internal sealed class PackArguments
{
    /// <summary>Gets the input format name (<c>--from</c>).</summary>
    public required string From { get; init; }

    /// <summary>Gets the <c>--input</c> file, when given.</summary>
    public string? Input { get; init; }

    /// <summary>Gets the <c>--field</c> values, in order; their syntax depends on the importer.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    /// <summary>Gets the <c>--manifest</c> CSV of the files importer.</summary>
    public string? Manifest { get; init; }

    /// <summary>Gets the <c>--path-column</c> of the files importer.</summary>
    public string? PathColumn { get; init; }

    /// <summary>Gets the <c>--stream</c> values of the CTF importer (<c>NAME:DIM[:sparse]</c>).</summary>
    public IReadOnlyList<string> Streams { get; init; } = [];

    /// <summary>Gets the <c>--feature</c> values of the TFRecord importer (<c>NAME:DTYPE:SHAPE</c>).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>Gets the longest line (or CSV record) a text importer accepts, in characters (bytes for ASCII text).</summary>
    public int MaxLineBytes { get; init; } = InputLimits.DefaultMaxLineBytes;

    /// <summary>Gets the largest record (TFRecord record, CTF sequence of one stream, file of the files importer) accepted, in bytes.</summary>
    public int MaxRecordBytes { get; init; } = InputLimits.DefaultMaxRecordBytes;

    /// <summary>Gets whether the files importer may read files outside the manifest's folder.</summary>
    public bool AllowOutsidePaths { get; init; }

    /// <summary>Returns <see cref="Input"/> or throws a usage error naming the format.</summary>
    public string RequireInput() => Input ?? throw new UsageException($"--from {From} needs --input FILE.");
}
