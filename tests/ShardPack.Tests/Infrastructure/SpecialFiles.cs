using System.Diagnostics;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Special files for hostile-input tests: FIFOs, symbolic links, sparse files.</summary>
internal static class SpecialFiles
{
    /// <summary>Creates a FIFO at <paramref name="path"/> with mkfifo, or makes the test inconclusive where there is none.</summary>
    public static void CreateFifo(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("FIFOs are a Unix file type.");
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false }) ?? throw new InvalidOperationException();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Assert.Inconclusive($"mkfifo exited {process.ExitCode}.");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Inconclusive($"mkfifo is not available: {e.Message}");
        }
    }

    /// <summary>Creates a symbolic link, or makes the test inconclusive where the system refuses (Windows without the privilege).</summary>
    public static void CreateSymbolicLink(string path, string target, bool directory = false)
    {
        try
        {
            if (directory)
            {
                Directory.CreateSymbolicLink(path, target);
            }
            else
            {
                File.CreateSymbolicLink(path, target);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Assert.Inconclusive($"cannot create a symbolic link here: {e.Message}");
        }
    }

    /// <summary>Runs <paramref name="run"/> (which reads <paramref name="fifo"/>); fails if it blocks, after unblocking it by opening the FIFO for writing.</summary>
    public static CliResult RunWithoutBlocking(string fifo, Func<CliResult> run)
    {
        Task<CliResult> task = Task.Run(run);
        if (!task.Wait(TimeSpan.FromSeconds(30)))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }

            task.Wait(TimeSpan.FromSeconds(30));
            Assert.Fail($"the command blocked on the FIFO '{fifo}'.");
        }

        return task.Result;
    }
}
