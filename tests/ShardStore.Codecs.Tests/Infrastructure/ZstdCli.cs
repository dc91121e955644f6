using System.Diagnostics;

namespace ShardStore.Codecs.Tests.Infrastructure;

/// <summary>Runs the zstd command-line tool for cross-checks; tests call <see cref="Assert.Inconclusive(string)"/> where it is missing.</summary>
internal static class ZstdCli
{
    internal static string? Executable { get; } = Find();

    /// <summary>Runs zstd on a temporary file holding <paramref name="input"/> and returns its standard output.</summary>
    internal static byte[] Run(byte[] input, params string[] arguments)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, input);
            var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("zstd is not on PATH."))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(path);
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("zstd did not start.");
            Task<string> error = process.StandardError.ReadToEndAsync();
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            Assert.AreEqual(0, process.ExitCode, $"zstd {string.Join(' ', arguments)} failed: {error.Result}");
            return output.ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string? Find()
    {
        string name = OperatingSystem.IsWindows() ? "zstd.exe" : "zstd";
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }
}
