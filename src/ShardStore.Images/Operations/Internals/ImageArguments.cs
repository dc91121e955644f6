using System.Diagnostics.CodeAnalysis;

namespace ShardStore.Images.Operations.Internals;

/// <summary>Checks of image sizes and buffer lengths, with the throws kept off the hot paths.</summary>
internal static class ImageArguments
{
    /// <summary>Throws unless a buffer of <paramref name="bufferLength"/> bytes holds a <paramref name="width"/> x <paramref name="height"/> RGB u8 image.</summary>
    public static void CheckRgb(int bufferLength, int width, int height, string name)
    {
        if (width <= 0 || height <= 0)
        {
            ThrowSize(width, height, name);
        }

        if (bufferLength < (long)width * height * 3)
        {
            ThrowLength(bufferLength, (long)width * height * 3, name, "an RGB u8 image of " + width + " x " + height);
        }
    }

    /// <summary>Throws unless <paramref name="length"/> is at least <paramref name="required"/> bytes.</summary>
    public static void CheckDestination(int length, long required, string name)
    {
        if (length < required)
        {
            ThrowLength(length, required, name, "the output");
        }
    }

    [DoesNotReturn]
    private static void ThrowSize(int width, int height, string name) =>
        throw new ArgumentOutOfRangeException(name, $"The image size {width} x {height} must be positive in both dimensions.");

    [DoesNotReturn]
    private static void ThrowLength(int length, long required, string name, string what) =>
        throw new ArgumentException($"The buffer holds {length} bytes; {what} needs {required}.", name);
}
