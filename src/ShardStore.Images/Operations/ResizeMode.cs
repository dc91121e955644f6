namespace ShardStore.Images.Operations;

/// <summary>How <see cref="ImageResizer"/> computes an output pixel from the source.</summary>
public enum ResizeMode
{
    /// <summary>
    /// Bilinear (triangle filter); when shrinking, the filter's support widens with the scale factor so every source
    /// pixel contributes (antialiasing), as PIL's <c>Image.BILINEAR</c> and torchvision's <c>antialias=True</c> do.
    /// </summary>
    Bilinear = 0,

    /// <summary>The source pixel under the centre of each output pixel, as PIL's <c>Image.NEAREST</c>.</summary>
    Nearest = 1,
}
