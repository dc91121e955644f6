using System.Diagnostics;
using System.Globalization;
using ShardStore.Images.Operations;

namespace ShardStore.Images.Tests.Operations.Infrastructure;

/// <summary>Runs PIL (Python Imaging Library) through python3 to resize an image, when python3 with PIL is installed.</summary>
internal static class PilReference
{
    private const string Script = """
        import sys
        from PIL import Image
        w, h, x0, y0, x1, y1, ow, oh = map(int, sys.argv[1:9])
        with open(sys.argv[9], 'rb') as f:
            data = f.read()
        image = Image.frombytes('RGB', (w, h), data).crop((x0, y0, x1, y1))
        out = image.resize((ow, oh), Image.BILINEAR, reducing_gap=None)
        with open(sys.argv[10], 'wb') as f:
            f.write(out.tobytes())
        """;

    private static readonly Lazy<string?> s_python = new(FindPython);

    /// <summary>Gets the python3 that imports PIL, or null when there is none.</summary>
    public static string? Python => s_python.Value;

    /// <summary>Returns PIL's <c>image.crop(box).resize(size, Image.BILINEAR, reducing_gap=None)</c>.</summary>
    public static byte[] ResizeBilinear(byte[] source, int width, int height, CropRect crop, int outputWidth, int outputHeight)
    {
        string python = Python ?? throw new InvalidOperationException("python3 with PIL is not installed.");
        string directory = Directory.CreateTempSubdirectory("shardstore-pil-").FullName;
        try
        {
            string input = Path.Combine(directory, "in.rgb");
            string output = Path.Combine(directory, "out.rgb");
            File.WriteAllBytes(input, source);
            int[] numbers = [width, height, crop.X, crop.Y, crop.X + crop.Width, crop.Y + crop.Height, outputWidth, outputHeight];
            var arguments = new List<string> { "-c", Script };
            arguments.AddRange(numbers.Select(n => n.ToString(CultureInfo.InvariantCulture)));
            arguments.Add(input);
            arguments.Add(output);
            (int exitCode, string errors) = Run(python, arguments, TimeSpan.FromSeconds(60));
            Assert.AreEqual(0, exitCode, $"PIL failed: {errors}");
            return File.ReadAllBytes(output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? FindPython()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                if (Run(candidate, ["-c", "import PIL.Image"], TimeSpan.FromSeconds(30)).ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under this name.
            }
        }

        return null;
    }

    private static (int ExitCode, string Errors) Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} did not finish within {timeout.TotalSeconds} s.");
        }

        process.WaitForExit();
        return (process.ExitCode, errors.Result + output.Result);
    }
}
