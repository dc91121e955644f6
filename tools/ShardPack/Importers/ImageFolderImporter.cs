using System.Globalization;
using ShardPack.Importers.Internals;
using ShardPack.Internals;
using ShardStore.Images;
using ShardStore.Images.Codecs;

namespace ShardPack.Importers;

/// <summary>
/// <c>--from imagefolder DIR</c>: one sample per image file of <c>DIR/CLASS/...</c> (see <see cref="ImageFolderListing"/>),
/// fields <c>image</c> (variable-length u8: the file, a re-encoded JPEG, or RGB pixels with <c>--store raw</c>) and
/// <c>label</c> (i64, the class's position in the sorted class folders); with <c>--store raw</c> also <c>height</c> and
/// <c>width</c> (i32), with <c>--store-paths</c> also <c>path</c> (variable-length u8, UTF-8, relative to DIR).
/// </summary>
/// <remarks>
/// Files are packed in an order shuffled by <c>--shuffle-seed</c> (0 by default, so the same folder and options pack
/// the same dataset), or in class order with <c>--no-shuffle</c>. The class names go into the manifest metadata under
/// <see cref="ImageFolderMetadata.ClassesKey"/>. Every file's header is checked; a file that cannot be read or is not
/// a valid JPEG or PNG ends the pack naming it, or with <c>--skip-bad</c> is left out, counted and listed.
/// </remarks>
internal sealed class ImageFolderImporter : IImporter, IImporterReport
{
    /// <summary>The name of the field holding each image.</summary>
    public const string ImageField = "image";

    /// <summary>The name of the field holding each label.</summary>
    public const string LabelField = "label";

    private const int ListedBadFiles = 20;

    private readonly ImageFolderListing _listing;
    private readonly string _realRoot;
    private readonly bool _allowOutsidePaths;
    private readonly int _maxFileBytes;
    private readonly bool _storePaths;
    private readonly bool _skipBad;
    private readonly ImageConverter _converter;
    private readonly List<string> _notes = [];
    private readonly List<string> _warnings = [];

    private ImageFolderImporter(ImageFolderListing listing, PackArguments arguments)
    {
        _listing = listing;
        _realRoot = RealPath.Resolve(listing.Root);
        _allowOutsidePaths = arguments.AllowOutsidePaths;
        _maxFileBytes = arguments.MaxRecordBytes;
        _storePaths = arguments.StorePaths;
        _skipBad = arguments.SkipBad;
        _converter = new ImageConverter(arguments.Store ?? ImageStore.Original, arguments.MaxSide, arguments.JpegQuality);
        List<FieldSpec> fields = [FieldSpec.Bytes(ImageField), FieldSpec.Fixed(LabelField, DType.I64)];
        if (_converter.Store == ImageStore.Raw)
        {
            fields.AddRange(ImageFields.RawSize);
        }

        if (_storePaths)
        {
            fields.Add(FieldSpec.Bytes("path"));
        }

        Schema = new Schema(fields);
        Dictionary<string, string> metadata = ImageFields.CreateMetadata(_converter, arguments);
        metadata[ImageFolderMetadata.ClassesKey] = ImageFolderMetadata.FormatClassNames(listing.Classes);
        Metadata = metadata;
    }

    /// <inheritdoc />
    public Schema Schema { get; }

    /// <inheritdoc />
    public long InputBytes => _listing.TotalBytes;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Notes => _notes;

    /// <inheritdoc />
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Lists the folder and orders its files.</summary>
    /// <exception cref="UsageException">No folder given, or it does not exist.</exception>
    /// <exception cref="InvalidDataException">A folder below it cannot be listed.</exception>
    public static IImporter Create(PackArguments arguments)
    {
        ImageFolderListing listing = ImageFolderListing.Read(arguments.Input ?? throw new UsageException("--from imagefolder needs the folder: shardpack pack --from imagefolder DIR -o OUT."));
        if (listing.Classes.Count == 0)
        {
            throw new UsageException($"--from imagefolder: '{listing.Root}' has no class folders; it must hold one subfolder per class (DIR/CLASS/IMAGE.jpg).");
        }

        if (!arguments.NoShuffle)
        {
            SeededShuffle.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(listing.Files), arguments.ShuffleSeed);
        }

        return new ImageFolderImporter(listing, arguments);
    }

    /// <inheritdoc />
    public void WriteSamples(DatasetWriter writer, PackProgress progress, CancellationToken cancellationToken)
    {
        int[] perClass = new int[_listing.Classes.Count];
        var bad = new List<string>();
        byte[] buffer = new byte[256 * 1024];
        long pendingBytes = 0, pendingSamples = 0;
        foreach (ImageFolderListing.Entry entry in _listing.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = Path.Combine(_listing.Root, entry.RelativePath);
            ReadOnlySpan<byte> image;
            ImageSize size;
            try
            {
                int length = ReadFile(path, ref buffer);
                image = _converter.Convert(buffer.AsSpan(0, length), out size);
            }
            catch (InvalidDataException e) when (_skipBad)
            {
                bad.Add($"'{entry.RelativePath}' ({e.Message.TrimEnd('.')})");
                continue;
            }
            catch (InvalidDataException e)
            {
                throw DataErrors.Create($"{e.Message.TrimEnd('.')}; pass --skip-bad to leave out files that are not valid images.", path, innerException: e);
            }

            writer.Write<byte>(0, image);
            writer.WriteScalar(1, (long)entry.Label);
            int next = 2;
            if (_converter.Store == ImageStore.Raw)
            {
                writer.WriteScalar(next++, size.Height);
                writer.WriteScalar(next++, size.Width);
            }

            if (_storePaths)
            {
                writer.Write<byte>(next, System.Text.Encoding.UTF8.GetBytes(entry.RelativePath));
            }

            writer.EndSample();
            perClass[entry.Label]++;
            pendingBytes += entry.Length;
            if (++pendingSamples == 64)
            {
                progress.Advance(pendingSamples, pendingBytes);
                pendingSamples = pendingBytes = 0;
            }
        }

        progress.Advance(pendingSamples, pendingBytes);
        Summarize(perClass, bad);
    }

    /// <inheritdoc />
    public void Dispose() => _converter.Dispose();

    // Reads the file the entry names, refusing one that leads outside the folder; every failure is an InvalidDataException without the path, which the caller adds.
    private int ReadFile(string path, ref byte[] buffer)
    {
        try
        {
            string realPath = RealPath.Resolve(path);
            if (!_allowOutsidePaths && !RealPath.IsSameOrInside(realPath, _realRoot))
            {
                throw new InvalidDataException($"the file leads outside the folder (to '{realPath}'); pass --allow-outside-paths to pack it");
            }

            using FileStream file = InputFile.TryOpen(realPath, bufferSize: 0, out string? notRegular)
                ?? throw new InvalidDataException($"the file is {notRegular}, not a regular file");
            return ImageFields.ReadToEnd(file, _maxFileBytes, ref buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"the file cannot be read: {e.Message}", e);
        }
    }

    private void Summarize(int[] perClass, List<string> bad)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        _notes.Add(string.Create(c, $"{_listing.Classes.Count} classes (labels 0..{_listing.Classes.Count - 1}, metadata '{ImageFolderMetadata.ClassesKey}'), {perClass.Sum()} images"));
        if (_listing.IgnoredCount > 0)
        {
            _notes.Add(string.Create(c, $"ignored {_listing.IgnoredCount} files without a .jpg, .jpeg or .png extension (e.g. '{_listing.FirstIgnored}')"));
        }

        ImageFields.AddConversionNotes(_converter, _notes);
        for (int label = 0; label < perClass.Length; label++)
        {
            if (perClass[label] == 0)
            {
                _warnings.Add(string.Create(c, $"class '{_listing.Classes[label]}' (label {label}) has no images; its label is kept, so no sample has it"));
            }
        }

        if (bad.Count > 0)
        {
            string more = bad.Count > ListedBadFiles ? string.Create(c, $"; and {bad.Count - ListedBadFiles} more") : string.Empty;
            _warnings.Add(string.Create(c, $"skipped {bad.Count} bad files (--skip-bad): {string.Join("; ", bad.Take(ListedBadFiles))}{more}"));
        }
    }
}
