using System.Diagnostics;
using System.Globalization;

namespace ShardStore.Runner;

/// <summary>
/// The JPEG files of the <c>--images</c> scenario: random crops of real photographs (scikit-image's samples, from
/// Debian's python3-skimage) resized to about 500 x 375 and saved by PIL at quality 90, in an ImageFolder layout
/// (ten class folders), plus the python3 that made them.
/// </summary>
internal static class ImageFiles
{
    public const int Classes = 10;

    private const string PhotosVariable = "SHARDSTORE_TEST_PHOTOS";
    private static readonly string[] s_photoNames = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "rocket.jpg"];

    private const string Script = """
        import os, random, sys
        from PIL import Image
        out, count, classes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        photos = [Image.open(p).convert("RGB") for p in sys.argv[4:]]
        rng = random.Random(2026)
        for c in range(classes):
            os.makedirs(f"{out}/class{c}", exist_ok=True)
        for i in range(count):
            im = photos[i % len(photos)]
            w, h = im.size
            portrait = rng.random() < 0.25
            ow, oh = (375, 500) if portrait else (500, 375)
            ow, oh = round(ow * rng.uniform(0.85, 1.15)), round(oh * rng.uniform(0.85, 1.15))
            scale = rng.uniform(0.5, 1.0) * min(w / ow, h / oh)
            cw, ch = max(1, min(w, round(ow * scale))), max(1, min(h, round(oh * scale)))
            x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
            crop = im.crop((x, y, x + cw, y + ch)).resize((ow, oh), Image.BICUBIC)
            crop.save(f"{out}/class{i % classes}/img_{i:05}.jpg", quality=90)
        """;

    /// <summary>Returns python3 with PIL ($SHARDSTORE_PYTHON, /usr/bin/python3 or python3), or null.</summary>
    public static string? FindPython(string module = "PIL.Image")
    {
        foreach (string? candidate in new[] { Environment.GetEnvironmentVariable("SHARDSTORE_PYTHON"), "/usr/bin/python3", "python3" })
        {
            if (!string.IsNullOrEmpty(candidate) && Run(candidate, ["-c", $"import {module}"], TimeSpan.FromMinutes(1)).ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Returns the sample photographs, or null with the reason.</summary>
    public static (string[]? Photos, string? Why) FindPhotos()
    {
        string home = Environment.GetEnvironmentVariable("HOME") ?? "/tmp";
        string[] folders = [.. new[]
        {
            Environment.GetEnvironmentVariable(PhotosVariable),
            Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "shardstore", "test-photos"),
            "/usr/lib/python3/dist-packages/skimage/data",
        }.Where(f => !string.IsNullOrEmpty(f)).Select(f => f!)];
        foreach (string folder in folders)
        {
            string[] photos = [.. s_photoNames.Select(p => Path.Combine(folder, p)).Where(File.Exists)];
            if (photos.Length > 0)
            {
                return (photos, null);
            }
        }

        return (null, $"no sample photographs in {string.Join(", ", folders)}: set ${PhotosVariable} to scikit-image's data folder (.ci/run extracts it from Debian's python3-skimage)");
    }

    /// <summary>Writes <paramref name="count"/> JPEGs under <paramref name="folder"/>/classK/.</summary>
    public static void Generate(string python, string folder, int count, string[] photos)
    {
        (int code, string output) = Run(python, ["-c", Script, folder, count.ToString(CultureInfo.InvariantCulture), Classes.ToString(CultureInfo.InvariantCulture), .. photos], TimeSpan.FromMinutes(30));
        if (code != 0)
        {
            throw new InvalidOperationException($"Generating the JPEG files failed:\n{output}");
        }
    }

    /// <summary>Lists the files as ImageFolder sees them: (path relative to the folder, label), classes and files in sorted order.</summary>
    public static List<(string Name, int Label)> List(string folder) =>
        [.. Directory.GetDirectories(folder).Order(StringComparer.Ordinal).SelectMany((dir, label) =>
            Directory.GetFiles(dir, "*.jpg").Order(StringComparer.Ordinal).Select(f => (Path.GetRelativePath(folder, f), label)))];

    /// <summary>Runs a program, returning its exit code and its output and error text together.</summary>
    public static (int ExitCode, string Output) Run(string program, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using Process process = Process.Start(start)!;
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{program} did not finish within {timeout.TotalMinutes:F0} minutes");
            }

            return (process.ExitCode, output.GetAwaiter().GetResult() + error.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }
}
