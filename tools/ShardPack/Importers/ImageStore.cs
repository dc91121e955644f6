namespace ShardPack.Importers;

/// <summary>How <c>shardpack pack</c> stores images (<c>--store</c>).</summary>
internal enum ImageStore
{
    /// <summary>The file's bytes as they are; only an image resized by <c>--max-side</c> is encoded again, as JPEG.</summary>
    Original,

    /// <summary>JPEG: JPEG files as they are unless resized; every other image (and every resized one) encoded as JPEG.</summary>
    Jpeg,

    /// <summary>Decoded RGB u8 pixels, height x width x 3, with the size in the fields <c>height</c> and <c>width</c>.</summary>
    Raw,
}
