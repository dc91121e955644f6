namespace ShardStore.Images.Operations;

/// <summary>Which region of the source <see cref="ImageAugmenter"/> resizes to the output size.</summary>
public enum CropMode
{
    /// <summary>
    /// A random region of random area and aspect ratio (torchvision's <c>RandomResizedCrop</c>, drawn by
    /// <see cref="ImageGeometry.RandomResizedCrop"/>).
    /// </summary>
    RandomResized = 0,

    /// <summary>
    /// The centred region of the output's aspect ratio that takes <see cref="ImageAugmenterOptions.CenterCropFraction"/>
    /// of the largest such region (0.875 is torchvision's evaluation <c>Resize(256)</c> + <c>CenterCrop(224)</c>).
    /// </summary>
    Center = 1,

    /// <summary>The whole image, resized to the output size whatever its aspect ratio.</summary>
    None = 2,
}
