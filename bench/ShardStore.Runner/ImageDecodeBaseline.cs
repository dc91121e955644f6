using System.Diagnostics;
using System.Globalization;
using ShardStore.Images.Codecs;

namespace ShardStore.Runner;

/// <summary>
/// Decode alone, one thread: ShardStore's <see cref="ImageDecoder"/> over JPEG bytes in memory, and TurboJPEG's own rate
/// from bench/experiments/tjdecode.c (built here with gcc) over the same files at the same sizes.
/// </summary>
internal static class ImageDecodeBaseline
{
    /// <summary>Decodes every image, pass after pass after a warm-up pass, for at least <paramref name="seconds"/>; each at the size its minimum asks for (0, 0: full).</summary>
    public static (double ImagesPerSecond, double MegapixelsPerSecond) Ours(IReadOnlyList<byte[]> images, IReadOnlyList<(int Width, int Height)> minimums, double seconds)
    {
        using var decoder = new ImageDecoder();
        byte[] output = new byte[images.Max(i => (int)decoder.ReadInfo(i).PixelCount) * 3];
        long decoded = 0;
        double pixels = 0;
        var clock = new Stopwatch();
        for (int pass = 0; pass == 0 || clock.Elapsed.TotalSeconds < seconds; pass++)
        {
            if (pass == 1)
            {
                clock.Start();
                decoded = 0;
                pixels = 0;
            }

            for (int i = 0; i < images.Count; i++)
            {
                ImageSize size = decoder.Decode(images[i], output, minimums[i].Width, minimums[i].Height);
                decoded++;
                pixels += (double)size.Width * size.Height;
            }
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        return (decoded / elapsed, pixels / elapsed / 1e6);
    }

    /// <summary>Builds tjdecode into <paramref name="directory"/>; returns its path, or null with the reason.</summary>
    public static (string? Path, string? Why) Build(string directory)
    {
        string? source = FindSource();
        if (source is null)
        {
            return (null, "bench/experiments/tjdecode.c was not found above the runner's folder");
        }

        string exe = System.IO.Path.Combine(directory, "tjdecode");
        (int code, string output) = ImageFiles.Run("gcc", ["-O2", "-o", exe, source, "-lturbojpeg"], TimeSpan.FromMinutes(2));
        return code == 0
            ? (exe, null)
            : (null, $"gcc -O2 -o tjdecode tjdecode.c -lturbojpeg failed (needs gcc and libturbojpeg0-dev: apt-get install -y gcc libturbojpeg0-dev): {output.Trim()}");
    }

    /// <summary>Runs tjdecode over <paramref name="folder"/> (with the per-file scales of <paramref name="scales"/>, or "-" for full size).</summary>
    public static (double ImagesPerSecond, double MegapixelsPerSecond)? Run(string exe, string folder, string scales, double seconds, out string? why)
    {
        (int code, string output) = ImageFiles.Run(exe, [folder, scales, seconds.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(10));
        why = null;
        if (code != 0)
        {
            why = $"tjdecode failed: {output.Trim()}";
            return null;
        }

        Dictionary<string, string> values = output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return (double.Parse(values["images_per_s"], CultureInfo.InvariantCulture), double.Parse(values["mp_per_s"], CultureInfo.InvariantCulture));
    }

    private static string? FindSource()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "bench", "experiments", "tjdecode.c");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
