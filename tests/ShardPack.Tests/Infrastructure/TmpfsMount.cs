using System.Diagnostics;

namespace ShardPack.Tests.Infrastructure;

/// <summary>A small tmpfs mounted for one test (needs root and a kernel that lets this process mount); unmounted on dispose.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="options"/> (e.g. <c>size=4m</c>, <c>ro,size=1m</c>) at a new folder under <paramref name="parent"/>; null when mounting is not permitted.</summary>
    public static TmpfsMount? TryMount(string parent, string options)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }

        string path = System.IO.Path.Combine(parent, "mnt");
        Directory.CreateDirectory(path);
        return Exec("mount", "-t", "tmpfs", "-o", options, "tmpfs", path) == 0 ? new TmpfsMount(path) : null;
    }

    public void Dispose()
    {
        if (Exec("umount", Path) != 0)
        {
            Exec("umount", "-l", Path);
        }
    }

    private static int Exec(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using Process p = Process.Start(info)!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
