namespace ShardStore.Images.Tests.Infrastructure;

/// <summary>Runs Python with PIL (Debian python3-pil, which links the same libjpeg-turbo) as the reference decoder.</summary>
internal static class PilReference
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<string?> s_python = new(FindPython);

    /// <summary>Returns a Python interpreter that imports PIL, or makes the test Inconclusive saying what to install.</summary>
    public static string RequirePython() =>
        s_python.Value ?? throw new AssertInconclusiveException(
            "No python3 with PIL was found (tried $SHARDSTORE_PYTHON, /usr/bin/python3, python3 on PATH): install Debian's python3-pil; .ci/run does.");

    /// <summary>Runs <paramref name="python"/> with <paramref name="arguments"/> and returns its standard output; fails the test on a non-zero exit or after the timeout.</summary>
    public static string Run(string python, IReadOnlyList<string> arguments)
    {
        (int code, string output, string error) = Execute(python, arguments)
            ?? throw new AssertFailedException($"{python} did not finish within {s_timeout.TotalSeconds:F0} s.");
        Assert.AreEqual(0, code, $"{python} {string.Join(' ', arguments)} failed:\n{error}");
        return output;
    }

    private static string? FindPython() => PythonProcess.Find(candidate => Execute(candidate, ["-c", "import PIL.Image"]) is (0, _, _));

    private static (int Code, string Output, string Error)? Execute(string python, IReadOnlyList<string> arguments) =>
        PythonProcess.Execute(python, arguments, s_timeout);
}
