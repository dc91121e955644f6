using System.Globalization;

namespace ShardPack.Importers.Internals;

/// <summary>What the image importers share: the size fields of raw images, the metadata and summary of a conversion, reading a file whole.</summary>
internal static class ImageFields
{
    /// <summary>The metadata key saying how images are stored: <c>original</c>, <c>jpeg</c> or <c>raw</c>.</summary>
    public const string StoreKey = "image.store";

    /// <summary>The metadata key of <c>--max-side</c>, present when it was given.</summary>
    public const string MaxSideKey = "image.max_side";

    /// <summary>Gets the fields that follow a raw image: <c>height</c> and <c>width</c>, i32.</summary>
    public static IReadOnlyList<FieldSpec> RawSize { get; } = [FieldSpec.Fixed("height", DType.I32), FieldSpec.Fixed("width", DType.I32)];

    /// <summary>Creates the metadata describing how images were stored.</summary>
    public static Dictionary<string, string> CreateMetadata(ImageConverter converter, PackArguments arguments)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [StoreKey] = converter.Store.ToString().ToLowerInvariant() };
        if (converter.MaxSide > 0)
        {
            metadata[MaxSideKey] = converter.MaxSide.ToString(CultureInfo.InvariantCulture);
        }

        if (converter.Store == ImageStore.Jpeg || (converter.Store == ImageStore.Original && converter.MaxSide > 0))
        {
            metadata["image.jpeg_quality"] = arguments.JpegQuality.ToString(CultureInfo.InvariantCulture);
        }

        return metadata;
    }

    /// <summary>Adds the summary lines of what the converter did.</summary>
    public static void AddConversionNotes(ImageConverter converter, List<string> notes)
    {
        if (converter.Resized > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"resized {converter.Resized} images to at most {converter.MaxSide} pixels a side (--max-side)"));
        }

        if (converter.Encoded > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"encoded {converter.Encoded} images as JPEG again"));
        }
    }

    /// <summary>Reads <paramref name="file"/> to its end into <paramref name="buffer"/>, growing it up to <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The file holds more than <paramref name="maxBytes"/> bytes.</exception>
    public static int ReadToEnd(FileStream file, int maxBytes, ref byte[] buffer)
    {
        int got = 0;
        while (true)
        {
            if (got == buffer.Length)
            {
                if (got > maxBytes)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, Math.Max(buffer.Length * 2L, 64 * 1024)));
            }

            int read = file.Read(buffer, got, buffer.Length - got);
            if (read == 0)
            {
                break;
            }

            got += read;
        }

        return got <= maxBytes
            ? got
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the file is larger than the {maxBytes}-byte limit of one sample; raise --max-record-bytes to pack it"));
    }
}
