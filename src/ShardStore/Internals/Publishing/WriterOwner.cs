using System.Diagnostics;
using System.Globalization;

namespace ShardStore.Internals.Publishing;

/// <summary>
/// The process that owns a staging or set-aside directory: its id and its start time, so that a new process that
/// reuses the id of a dead writer is not mistaken for it. Written into the directory's name as "PID-START".
/// </summary>
internal readonly record struct WriterOwner(int ProcessId, long StartTime)
{
    /// <summary>Gets this process.</summary>
    public static WriterOwner Current { get; } = new(Environment.ProcessId, StartTimeOf(Environment.ProcessId) ?? 0);

    /// <summary>Gets the owner identity of a running process, or null when no process has that id.</summary>
    public static WriterOwner? TryGet(int processId) => StartTimeOf(processId) is long start ? new WriterOwner(processId, start) : null;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ProcessId}-{StartTime}");

    /// <summary>Parses the "PID-START" that <see cref="ToString"/> writes.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out WriterOwner owner)
    {
        owner = default;
        int dash = text.IndexOf('-');
        if (dash <= 0
            || !int.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long start))
        {
            return false;
        }

        owner = new WriterOwner(pid, start);
        return true;
    }

    /// <summary>Whether the owning process still runs; true whenever that cannot be told, so that nothing of a live writer is touched.</summary>
    public bool IsProcessAlive()
    {
        if (ProcessId == Environment.ProcessId)
        {
            return StartTime == Current.StartTime;
        }

        try
        {
            long? start = StartTimeOf(ProcessId);
            return start is null ? ProcessExists(ProcessId) : start.Value == StartTime;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or NotSupportedException)
        {
            return true;
        }
    }

    // On Linux the start time is field 22 of /proc/PID/stat, in clock ticks since boot: exact and readable for any
    // process. Elsewhere it is the start time the runtime reports, in UTC ticks.
    private static long? StartTimeOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }

            // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool ProcessExists(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
