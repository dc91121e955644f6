namespace ShardPack.Tests.Infrastructure;

/// <summary>Runs the Python reference reader (tools/python) with a python3 that has numpy, lz4 and zstandard.</summary>
internal static class PythonReader
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<string?> s_python = new(() => FindPython("import numpy, lz4.block, zstandard"));
    private static readonly Lazy<string?> s_torchPython = new(() => FindPython("import numpy, lz4.block, zstandard, torch"));

    /// <summary>Gets the folder that holds the <c>shardstore_reader</c> package.</summary>
    public static string PackageRoot { get; } = FindPackageRoot();

    /// <summary>Returns a python3 that imports numpy, lz4 and zstandard, or makes the test Inconclusive saying what to install.</summary>
    public static string RequirePython() =>
        s_python.Value ?? throw new AssertInconclusiveException(
            "No python3 with numpy, lz4 and zstandard was found (tried $SHARDSTORE_PYTHON, /usr/bin/python3, python3 on PATH): " +
            "install Debian's python3-numpy python3-lz4 python3-zstandard; .ci/run does.");

    /// <summary>Returns a python3 that also imports torch, or makes the test Inconclusive saying what to install.</summary>
    public static string RequireTorchPython() =>
        s_torchPython.Value ?? throw new AssertInconclusiveException(
            "No python3 with torch (and numpy, lz4, zstandard) was found: install Debian's python3-torch; .ci/run tries to.");

    /// <summary>Runs <paramref name="python"/> with <paramref name="arguments"/> in the package root, with the package importable and <paramref name="dataset"/> in $SHARDSTORE_TEST_DATASET.</summary>
    /// <returns>The exit code and the standard output and error.</returns>
    public static (int Code, string Output, string Error) Run(string python, string? dataset, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["PYTHONPATH"] = PackageRoot,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        if (dataset is not null)
        {
            environment["SHARDSTORE_TEST_DATASET"] = dataset;
        }

        return PythonProcess.Execute(python, arguments, s_timeout, PackageRoot, environment)
            ?? throw new AssertFailedException($"{python} {string.Join(' ', arguments)} did not finish within {s_timeout.TotalSeconds:F0} s.");
    }

    private static string? FindPython(string imports) => PythonProcess.Find(candidate => Run(candidate, null, "-c", imports).Code == 0);

    private static string FindPackageRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tools", "python");
            if (Directory.Exists(Path.Combine(candidate, "shardstore_reader")))
            {
                return candidate;
            }
        }

        throw new AssertFailedException($"tools/python/shardstore_reader was not found above {AppContext.BaseDirectory}.");
    }
}
