namespace ShardStore.Images.Operations;

/// <summary>A rectangle of an image in pixels: the region a crop keeps, left <see cref="X"/>, top <see cref="Y"/>.</summary>
/// <param name="X">The column of the leftmost pixel kept.</param>
/// <param name="Y">The row of the topmost pixel kept.</param>
/// <param name="Width">The number of columns kept.</param>
/// <param name="Height">The number of rows kept.</param>
public readonly record struct CropRect(int X, int Y, int Width, int Height)
{
    /// <summary>Returns the rectangle that covers a whole <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public static CropRect Full(int width, int height) => new(0, 0, width, height);

    /// <summary>Returns whether the rectangle is not empty and lies inside a <paramref name="width"/> x <paramref name="height"/> image.</summary>
    public bool IsInside(int width, int height) =>
        Width > 0 && Height > 0 && X >= 0 && Y >= 0 && (long)X + Width <= width && (long)Y + Height <= height;
}
