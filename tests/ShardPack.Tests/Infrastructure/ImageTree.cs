using ShardStore.Codecs;
using ShardStore.Images.Codecs;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Writes image folder trees (DIR/CLASS/FILE) of generated JPEG and PNG files, each file's pixels distinct.</summary>
internal static class ImageTree
{
    private static readonly string s_fixtures = Path.Combine(AppContext.BaseDirectory, "Images");

    /// <summary>Returns a smooth RGB image whose pattern depends on <paramref name="seed"/>, so that every file differs.</summary>
    public static byte[] Pixels(int width, int height, int seed)
    {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                rgb[i] = (byte)((x * 255 / Math.Max(1, width - 1)) ^ (seed * 37));
                rgb[i + 1] = (byte)((y * 255 / Math.Max(1, height - 1)) + (seed * 11));
                rgb[i + 2] = (byte)(((x + y) * 4) + (seed * 53));
            }
        }

        return rgb;
    }

    /// <summary>Writes a JPEG of <paramref name="width"/> x <paramref name="height"/> at <paramref name="relativePath"/> under <paramref name="root"/>.</summary>
    public static string WriteJpeg(string root, string relativePath, int width = 48, int height = 32, int seed = 0)
    {
        using var encoder = new JpegEncoder(92);
        return Write(root, relativePath, encoder.Encode(Pixels(width, height, seed), width, height));
    }

    /// <summary>Copies the committed 96 x 72 PNG fixture to <paramref name="relativePath"/>.</summary>
    public static string WritePng(string root, string relativePath) =>
        Write(root, relativePath, File.ReadAllBytes(Path.Combine(s_fixtures, "photo_rgb.png")));

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="relativePath"/>, creating its folders.</summary>
    public static string Write(string root, string relativePath, byte[] bytes)
    {
        string path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Opens a packed dataset.</summary>
    public static ShardDataset Open(string directory) => ShardDataset.Open(directory, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });

    /// <summary>Returns every sample's (path, label) of a dataset packed with --store-paths, in sample order.</summary>
    public static List<(string Path, long Label)> PathsAndLabels(ShardDataset dataset)
    {
        int pathField = dataset.Schema.Fields.ToList().FindIndex(f => f.Name == "path");
        Assert.IsGreaterThanOrEqualTo(0, pathField, "the dataset has no 'path' field");
        var result = new List<(string, long)>();
        for (long i = 0; i < dataset.SampleCount; i++)
        {
            using SampleLease sample = dataset.ReadSample(i);
            result.Add((System.Text.Encoding.UTF8.GetString(sample.Get<byte>(pathField)), sample.Get<long>(1)[0]));
        }

        return result;
    }
}
