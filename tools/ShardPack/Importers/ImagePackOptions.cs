using System.CommandLine;
using System.Globalization;

namespace ShardPack.Importers;

/// <summary>The <c>shardpack pack</c> options of the image importers: how images are stored, resized and ordered.</summary>
internal sealed class ImagePackOptions
{
    /// <summary>Gets <c>--store original|jpeg|raw</c>.</summary>
    public Option<string?> Store { get; } = new("--store")
    {
        Description = "How images are stored (imagefolder, files): original (the file's bytes; default), jpeg (JPEG files kept, others encoded as JPEG), raw (decoded RGB u8, height x width x 3, plus i32 fields height and width).",
    };

    /// <summary>Gets <c>--max-side N</c>.</summary>
    public Option<int?> MaxSide { get; } = new("--max-side")
    {
        Description = "Resize images whose longer side exceeds N pixels to N (aspect kept, antialiased) and store them as JPEG, or raw with --store raw (imagefolder, files).",
    };

    /// <summary>Gets <c>--jpeg-quality Q</c>.</summary>
    public Option<int?> JpegQuality { get; } = new("--jpeg-quality")
    {
        Description = "Quality 1-100 of images encoded as JPEG again (4:2:0 subsampling); default 90.",
    };

    /// <summary>Gets <c>--shuffle-seed N</c>.</summary>
    public Option<string?> ShuffleSeed { get; } = new("--shuffle-seed")
    {
        Description = "Seed of the order the samples are packed in: imagefolder shuffles its files with seed 0 unless given; npy, raw, csv, ctf (whole sequences), tfrecord (uncompressed) and files (manifest rows) shuffle only when given, the last four after a first pass that keeps 12-20 bytes per record in memory; the same input, options and --identity give byte-identical datasets.",
    };

    /// <summary>Gets <c>--no-shuffle</c>.</summary>
    public Option<bool> NoShuffle { get; } = new("--no-shuffle") { Description = "Pack the imagefolder's files in class order (then path order) instead of shuffled." };

    /// <summary>Gets <c>--skip-bad</c>.</summary>
    public Option<bool> SkipBad { get; } = new("--skip-bad") { Description = "Leave out files that cannot be read or are not valid JPEG/PNG images, counting and listing them (imagefolder); without it the first one ends the pack with exit 3." };

    /// <summary>Gets <c>--store-paths</c>.</summary>
    public Option<bool> StorePaths { get; } = new("--store-paths") { Description = "Add the field 'path': each image's path relative to the folder, UTF-8 (imagefolder)." };

    /// <summary>Gets the options, to add to the pack command.</summary>
    public IEnumerable<Option> All => [Store, MaxSide, JpegQuality, ShuffleSeed, NoShuffle, SkipBad, StorePaths];

    /// <summary>Reads <c>--store</c>.</summary>
    /// <exception cref="UsageException">Not original, jpeg or raw.</exception>
    public ImageStore? GetStore(ParseResult result) => result.GetValue(Store) switch
    {
        null => null,
        var s when s.Equals("original", StringComparison.OrdinalIgnoreCase) => ImageStore.Original,
        var s when s.Equals("jpeg", StringComparison.OrdinalIgnoreCase) => ImageStore.Jpeg,
        var s when s.Equals("raw", StringComparison.OrdinalIgnoreCase) => ImageStore.Raw,
        var s => throw new UsageException($"--store '{s}': use original, jpeg or raw."),
    };

    /// <summary>Reads <c>--max-side</c>; 0 when absent.</summary>
    /// <exception cref="UsageException">Not positive.</exception>
    public int GetMaxSide(ParseResult result) => result.GetValue(MaxSide) switch
    {
        null => 0,
        > 0 and var n => n,
        var n => throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-side {n}: give the longest side to keep, in pixels (at least 1).")),
    };

    /// <summary>Reads <c>--jpeg-quality</c>.</summary>
    /// <exception cref="UsageException">Outside 1-100.</exception>
    public int GetJpegQuality(ParseResult result) => result.GetValue(JpegQuality) switch
    {
        null => ShardStore.Images.Codecs.JpegEncoder.DefaultQuality,
        >= 1 and <= 100 and var q => q,
        var q => throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--jpeg-quality {q}: use 1 to 100.")),
    };

    /// <summary>Reads <c>--shuffle-seed</c>; 0 when absent.</summary>
    /// <exception cref="UsageException">Not an unsigned 64-bit integer.</exception>
    public ulong GetShuffleSeed(ParseResult result) => result.GetValue(ShuffleSeed) switch
    {
        null => 0,
        var s when ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed) => seed,
        var s => throw new UsageException($"--shuffle-seed '{s}': use a whole number from 0 to {ulong.MaxValue}."),
    };

    /// <summary>Refuses the options that <paramref name="from"/> does not read, and contradictory ones.</summary>
    /// <exception cref="UsageException">An option the format does not read, or <c>--shuffle-seed</c> with <c>--no-shuffle</c>.</exception>
    public void Check(ParseResult result, string from)
    {
        bool imageFolder = from.Equals("imagefolder", StringComparison.OrdinalIgnoreCase);
        bool files = from.Equals("files", StringComparison.OrdinalIgnoreCase);
        foreach (Option option in All)
        {
            if (result.GetResult(option) is not { Implicit: false } || option == ShuffleSeed)
            {
                // Every importer reads it (see RecordShuffle); --no-shuffle is checked below.
                continue;
            }

            bool conversion = option == Store || option == MaxSide || option == JpegQuality;
            if (!imageFolder && !(files && conversion))
            {
                throw new UsageException($"{option.Name} applies to {(conversion ? "--from imagefolder and --from files" : "--from imagefolder")}, not --from {from}.");
            }
        }

        if (result.GetValue(NoShuffle) && result.GetValue(ShuffleSeed) is not null)
        {
            throw new UsageException("--shuffle-seed and --no-shuffle contradict each other; give one.");
        }
    }
}
