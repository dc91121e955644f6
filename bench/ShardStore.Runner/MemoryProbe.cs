using System.Runtime;
using Microsoft.Win32.SafeHandles;

namespace ShardStore.Runner;

/// <summary>
/// The process's peak resident memory over one scenario (Linux only): the kernel's high-water mark (VmHWM), reset at
/// the start by writing 5 to /proc/self/clear_refs, and the peak of anonymous resident memory (RssAnon: heaps and
/// buffers, not mapped files), which the kernel does not track, so a background thread samples it every 10 ms.
/// </summary>
internal sealed class MemoryProbe : IDisposable
{
    private const string StatusPath = "/proc/self/status";
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(10);

    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread? _sampler;
    private readonly bool _peakReset;
    private readonly byte[] _buffer = new byte[8192];
    private long _peakAnonKb;

    private MemoryProbe()
    {
        if (!IsSupported)
        {
            return;
        }

        // Give back what earlier scenarios left behind, so that it does not count against this one.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            _peakReset = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _peakReset = false;
        }

        _peakAnonKb = ReadKb("RssAnon:") ?? 0;
        _sampler = new Thread(Sample) { IsBackground = true, Name = "RSS sampler", Priority = ThreadPriority.AboveNormal };
        _sampler.Start();
    }

    public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists(StatusPath);

    /// <summary>Starts measuring; <see cref="Stop"/> returns the peaks since.</summary>
    public static MemoryProbe Start() => new();

    /// <summary>Stops sampling and returns the peaks, null where this platform cannot tell.</summary>
    public MemoryPeak Stop()
    {
        if (_sampler is null)
        {
            return new MemoryPeak(null, null);
        }

        _stop.Set();
        _sampler.Join();
        long anon = Math.Max(Interlocked.Read(ref _peakAnonKb), ReadKb("RssAnon:") ?? 0);
        long? hwm = _peakReset ? ReadKb("VmHWM:") : null;
        return new MemoryPeak(hwm * 1024, anon * 1024);
    }

    public void Dispose()
    {
        if (_sampler is not null && !_stop.IsSet)
        {
            _stop.Set();
            _sampler.Join();
        }

        _stop.Dispose();
    }

    private void Sample()
    {
        do
        {
            if (ReadKb("RssAnon:") is { } kb && kb > Interlocked.Read(ref _peakAnonKb))
            {
                Interlocked.Exchange(ref _peakAnonKb, kb);
            }
        }
        while (!_stop.Wait(s_interval));
    }

    // Reads one "Name:   1234 kB" line of /proc/self/status without allocating strings; the kernel rebuilds the
    // file on every open.
    private long? ReadKb(string key)
    {
        lock (_buffer)
        {
            int length;
            try
            {
                using SafeFileHandle file = File.OpenHandle(StatusPath);
                length = RandomAccess.Read(file, _buffer, 0);
            }
            catch (IOException)
            {
                return null;
            }

            ReadOnlySpan<byte> text = _buffer.AsSpan(0, length);
            Span<byte> name = stackalloc byte[key.Length];
            for (int i = 0; i < key.Length; i++)
            {
                name[i] = (byte)key[i];
            }

            int at = text.IndexOf(name);
            if (at < 0)
            {
                return null;
            }

            long value = 0;
            bool digits = false;
            for (int i = at + name.Length; i < text.Length && text[i] != (byte)'\n'; i++)
            {
                if (text[i] is >= (byte)'0' and <= (byte)'9')
                {
                    value = (value * 10) + (text[i] - '0');
                    digits = true;
                }
            }

            return digits ? value : null;
        }
    }
}
