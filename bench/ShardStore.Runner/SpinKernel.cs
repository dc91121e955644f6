using ShardStore.Cuda.Internals.Backends;
using ShardStore.Cuda.Interop;

namespace ShardStore.Runner;

/// <summary>
/// A consumer that does real work on the GPU: a one-thread kernel that spins on <c>%globaltimer</c> for a given time,
/// timed with events around each launch. Unlike a host function (during which the stream counts as idle to the copy
/// engine), a kernel occupies the device, so copy/compute overlap is what gets measured.
/// </summary>
internal sealed class SpinKernel : IDisposable
{
    // PTX ISA 7.0 (CUDA 11.0 drivers and later) for sm_50 and up; the driver JIT-compiles it for the device.
    private const string Ptx = """
        .version 7.0
        .target sm_50
        .address_size 64

        .visible .entry spin(.param .u64 spin_param_0)
        {
            .reg .pred %p<2>;
            .reg .b64 %rd<5>;

            ld.param.u64 %rd1, [spin_param_0];
            mov.u64 %rd2, %globaltimer;
        LOOP:
            mov.u64 %rd3, %globaltimer;
            sub.s64 %rd4, %rd3, %rd2;
            setp.lt.u64 %p1, %rd4, %rd1;
            @%p1 bra LOOP;
            ret;
        }
        """;

    private readonly CudaBackend _backend;
    private readonly CudaModuleHandle _module;
    private readonly nint _function;
    private readonly List<(IDeviceEvent Start, IDeviceEvent End)> _launches = [];

    public SpinKernel(CudaBackend backend)
    {
        _backend = backend;
        _module = backend.LoadModule(Ptx);
        _function = _module.GetFunction("spin");
    }

    /// <summary>Enqueues one spin of <paramref name="duration"/> on <paramref name="stream"/>, between two timing events.</summary>
    public void Launch(IDeviceStream stream, TimeSpan duration)
    {
        IDeviceEvent start = _backend.CreateTimingEvent();
        IDeviceEvent end = _backend.CreateTimingEvent();
        _launches.Add((start, end));
        _backend.Record(start, stream);
        _backend.LaunchSingleThread(_module, _function, (ulong)(duration.Ticks * 100), stream);
        _backend.Record(end, stream);
    }

    /// <summary>
    /// Returns the fraction of the span from the first kernel's start to the last one's end during which no kernel ran
    /// (span minus the sum of kernel times, over the span); the stream must have completed.
    /// </summary>
    public double IdleFraction()
    {
        if (_launches.Count == 0)
        {
            return 0;
        }

        double busy = _launches.Sum(l => (double)_backend.ElapsedMilliseconds(l.Start, l.End));
        double span = _backend.ElapsedMilliseconds(_launches[0].Start, _launches[^1].End);
        return span <= 0 ? 0 : Math.Max(0, (span - busy) / span);
    }

    public void Dispose()
    {
        foreach ((IDeviceEvent start, IDeviceEvent end) in _launches)
        {
            start.Dispose();
            end.Dispose();
        }

        _module.Dispose();
    }
}
