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

    /// <summary>Gets how images are stored (<c>--store</c>; imagefolder, and files when given).</summary>
    public ImageStore? Store { get; init; }

    /// <summary>Gets <c>--max-side</c>: images whose longer side exceeds it are resized to it; 0 keeps every size.</summary>
    public int MaxSide { get; init; }

    /// <summary>Gets <c>--jpeg-quality</c>, used for every image that is encoded again.</summary>
    public int JpegQuality { get; init; } = ShardStore.Images.Codecs.JpegEncoder.DefaultQuality;

    /// <summary>Gets <c>--shuffle-seed</c>: the seed of the order in which the samples are packed (0 when not given).</summary>
    public ulong ShuffleSeed { get; init; }

    /// <summary>
    /// Gets whether <c>--shuffle-seed</c> was given: every importer then packs its samples in an order shuffled by
    /// <see cref="ShuffleSeed"/> (imagefolder shuffles with seed 0 even when it is not given, unless told not to).
    /// npy and raw read records at positions computed from their numbers; csv, ctf, tfrecord and files first index
    /// where each record lies, holding 12 bytes per record in memory (20 with the line of text inputs), and refuse
    /// inputs that cannot be read at a byte offset (GZIP TFRecord, UTF-16 text).
    /// </summary>
    public bool ShuffleRecords { get; init; }

    /// <summary>Gets <c>--no-shuffle</c>: pack the imagefolder's files in class order.</summary>
    public bool NoShuffle { get; init; }

    /// <summary>Gets <c>--skip-bad</c>: leave out unreadable files and files that are not valid images, counting and listing them.</summary>
    public bool SkipBad { get; init; }

    /// <summary>Gets <c>--store-paths</c>: add each image's path relative to the folder as the variable-length u8 field <c>path</c> (UTF-8).</summary>
    public bool StorePaths { get; init; }

    /// <summary>Gets whether any option asks for images to be decoded or converted at pack time.</summary>
    public bool ConvertsImages => Store is not null || MaxSide > 0;

    /// <summary>Returns <see cref="Input"/> or throws a usage error naming the format.</summary>
    public string RequireInput() => Input ?? throw new UsageException($"--from {From} needs --input FILE.");
}
