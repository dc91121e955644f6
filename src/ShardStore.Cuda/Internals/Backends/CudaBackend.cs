using System.Runtime.InteropServices;
using ShardStore.Cuda.Interop;
using static ShardStore.Cuda.Interop.Interop;

namespace ShardStore.Cuda.Internals.Backends;

/// <summary>The device ring's backend over the CUDA driver API, in the device's primary context.</summary>
internal sealed unsafe class CudaBackend : IDeviceBackend
{
    private readonly CudaPrimaryContextHandle _context;

    private CudaBackend(CudaPrimaryContextHandle context, int ordinal, string name)
    {
        _context = context;
        Ordinal = ordinal;
        Description = $"{name} (cuda:{ordinal}, driver {CudaDevice.DriverVersion / 1000}.{CudaDevice.DriverVersion % 1000 / 10})";
    }

    /// <inheritdoc/>
    public DeviceKind Kind => DeviceKind.Cuda;

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Gets the device ordinal.</summary>
    public int Ordinal { get; }

    /// <summary>Opens device <paramref name="ordinal"/>: retains its primary context.</summary>
    /// <exception cref="InvalidOperationException">CUDA is not available.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No device has that ordinal.</exception>
    /// <exception cref="CudaException">The driver fails.</exception>
    public static CudaBackend Open(int ordinal)
    {
        CudaDevice.EnsureAvailable(ordinal);
        CudaPrimaryContextHandle context = CudaPrimaryContextHandle.Retain(ordinal);
        try
        {
            byte* name = stackalloc byte[256];
            CudaException.ThrowIfFailed(CudaDriver.cuDeviceGetName(name, 256, context.Device));
            return new CudaBackend(context, ordinal, Marshal.PtrToStringUTF8((nint)name) ?? "CUDA device");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Returns the device's free and total memory (cuMemGetInfo).</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    public (long Free, long Total) GetMemoryInfo()
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuMemGetInfo_v2(out nuint free, out nuint total));
            return ((long)free, (long)total);
        }
    }

    /// <inheritdoc/>
    public IDeviceAllocation Allocate(long bytes) => CudaDeviceMemoryHandle.Allocate(_context, bytes);

    /// <inheritdoc/>
    public IDeviceStream CreateStream() => CudaStreamHandle.Create(_context);

    /// <inheritdoc/>
    public IDeviceStream WrapStream(nint handle) => new BorrowedCudaStream(handle);

    /// <inheritdoc/>
    public IDeviceEvent CreateEvent() => CudaEventHandle.Create(_context);

    /// <inheritdoc/>
    public IDisposable? RegisterHost(nint pointer, long bytes, bool readOnly) => CudaHostRegistrationHandle.Register(_context, pointer, bytes, readOnly);

    /// <inheritdoc/>
    public void CopyHostToDeviceAsync(ulong destination, nint source, long bytes, IDeviceStream stream)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuMemcpyHtoDAsync_v2(destination, (void*)source, (nuint)bytes, stream.Handle));
        }
    }

    /// <inheritdoc/>
    public void CopyDeviceToHost(nint destination, ulong source, long bytes)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuMemcpyDtoH_v2((void*)destination, source, (nuint)bytes));
        }
    }

    /// <inheritdoc/>
    public void CopyDeviceToHostAsync(nint destination, ulong source, long bytes, IDeviceStream stream)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuMemcpyDtoHAsync_v2((void*)destination, source, (nuint)bytes, stream.Handle));
        }
    }

    /// <summary>Sets <paramref name="bytes"/> of device memory to <paramref name="value"/>, synchronously.</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    public void Fill(ulong destination, byte value, long bytes)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuMemsetD8_v2(destination, value, (nuint)bytes));
        }
    }

    /// <inheritdoc/>
    public void Record(IDeviceEvent deviceEvent, IDeviceStream stream)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuEventRecord(EventHandle(deviceEvent), stream.Handle));
        }
    }

    /// <inheritdoc/>
    public void Wait(IDeviceStream stream, IDeviceEvent deviceEvent)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuStreamWaitEvent(stream.Handle, EventHandle(deviceEvent), 0));
        }
    }

    /// <inheritdoc/>
    public bool Query(IDeviceEvent deviceEvent)
    {
        using (_context.Enter())
        {
            int result = CudaDriver.cuEventQuery(EventHandle(deviceEvent));
            if (result == CudaDriver.ErrorNotReady)
            {
                return false;
            }

            CudaException.ThrowIfFailed(result, "cuEventQuery");
            return true;
        }
    }

    /// <inheritdoc/>
    public void Synchronize(IDeviceEvent deviceEvent)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuEventSynchronize(EventHandle(deviceEvent)));
        }
    }

    /// <inheritdoc/>
    public void Synchronize(IDeviceStream stream)
    {
        // cuStreamSynchronize waits as the context's scheduling flags say, and the primary context (shared with any
        // framework in the process) spins by default; a blocking-sync event recorded at the stream's end sleeps instead.
        using CudaEventHandle end = CudaEventHandle.Create(_context);
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuEventRecord(end.DangerousGetHandle(), stream.Handle));
            CudaException.ThrowIfFailed(CudaDriver.cuEventSynchronize(end.DangerousGetHandle()));
        }
    }

    /// <inheritdoc/>
    public void LaunchHostWork(IDeviceStream stream, Action work)
    {
        var gc = GCHandle.Alloc(work);
        try
        {
            using (_context.Enter())
            {
                CudaException.ThrowIfFailed(CudaDriver.cuLaunchHostFunc(stream.Handle, &RunHostWork, GCHandle.ToIntPtr(gc)));
            }
        }
        catch
        {
            gc.Free();
            throw;
        }
    }

    /// <summary>Creates an event that records a timestamp, for <see cref="ElapsedMilliseconds"/> (benchmarks).</summary>
    /// <exception cref="CudaException">The driver fails.</exception>
    public IDeviceEvent CreateTimingEvent() => CudaEventHandle.Create(_context, timing: true);

    /// <summary>Returns the device time between two completed records of timing events, in milliseconds.</summary>
    /// <exception cref="CudaException">An event has no completed record or was created without timing.</exception>
    public float ElapsedMilliseconds(IDeviceEvent start, IDeviceEvent end)
    {
        using (_context.Enter())
        {
            CudaException.ThrowIfFailed(CudaDriver.cuEventElapsedTime(out float milliseconds, EventHandle(start), EventHandle(end)), "cuEventElapsedTime");
            return milliseconds;
        }
    }

    /// <summary>Loads a module from PTX text in the device's context.</summary>
    /// <exception cref="CudaException">The driver refuses the text or fails.</exception>
    public CudaModuleHandle LoadModule(string ptx) => CudaModuleHandle.Load(_context, ptx);

    /// <summary>Enqueues a kernel of one block of one thread whose only parameter is a 64-bit value (benchmarks: a spin kernel).</summary>
    /// <exception cref="CudaException">The driver refuses the launch.</exception>
    public void LaunchSingleThread(CudaModuleHandle module, nint function, ulong argument, IDeviceStream stream)
    {
        bool added = false;
        module.DangerousAddRef(ref added);
        try
        {
            using (_context.Enter())
            {
                void* parameter = &argument;
                CudaException.ThrowIfFailed(CudaDriver.cuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, stream.Handle, &parameter, null), "cuLaunchKernel");
            }
        }
        finally
        {
            module.DangerousRelease();
        }
    }

    /// <summary>Releases the primary context (the driver keeps it while other users hold it).</summary>
    public void Dispose() => _context.Dispose();

    private static nint EventHandle(IDeviceEvent deviceEvent) => ((CudaEventHandle)deviceEvent).DangerousGetHandle();

    // Runs on a driver thread: it must not call the CUDA API, and no exception may cross back into native code.
    [UnmanagedCallersOnly]
    private static void RunHostWork(nint userData)
    {
        var gc = GCHandle.FromIntPtr(userData);
        try
        {
            ((Action)gc.Target!)();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Environment.FailFast("Host work launched on a CUDA stream threw; it must not.", e);
        }
        finally
        {
            gc.Free();
        }
    }
}
