namespace ShardStore.Images.Operations;

/// <summary>
/// The random choices of <see cref="ImageAugmenter"/> for one image, in the coordinates of the image at its full
/// size: drawn before decoding so the decoder can pick a reduced size that still covers the crop.
/// </summary>
/// <param name="SourceWidth">The full width of the image the choices were drawn for.</param>
/// <param name="SourceHeight">The full height of the image the choices were drawn for.</param>
/// <param name="Crop">The region to resize to the output size, inside the full-size image.</param>
/// <param name="Flip">Whether the output is mirrored left to right.</param>
public readonly record struct ImageAugmentation(int SourceWidth, int SourceHeight, CropRect Crop, bool Flip);
