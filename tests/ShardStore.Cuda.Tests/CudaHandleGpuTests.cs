using System.Runtime.CompilerServices;
using ShardStore.Cuda.Internals;

namespace ShardStore.Cuda.Tests;

/// <summary>The driver handles released by the finalizer thread, where no context is current: they push the primary context first.</summary>
/// <remarks>Inconclusive without a CUDA driver and device; under the recording stand-in driver, <see cref="CudaBackendTests"/> checks every release had a context.</remarks>
[TestClass]
[TestCategory("Gpu")]
public sealed class CudaHandleGpuTests
{
    [TestInitialize]
    public void RequireCuda()
    {
        if (!CudaDevice.IsAvailable)
        {
            Assert.Inconclusive($"No CUDA device: {CudaDevice.UnavailableReason}");
        }
    }

    [TestMethod]
    public void ReleaseHandle_AbandonedHandlesOnTheFinalizerThread_FreeTheirDeviceMemory()
    {
        const long Bytes = 256L << 20;
        const long Tolerance = 64L << 20;
        using CudaBackend backend = CudaBackend.Open(0);
        Abandon(backend, 1 << 20);
        Collect();
        long before = backend.GetMemoryInfo().Free;

        Abandon(backend, Bytes);
        long held = backend.GetMemoryInfo().Free;
        Collect();
        long after = backend.GetMemoryInfo().Free;

        Assert.IsTrue(before - held >= Bytes - Tolerance, $"the abandoned allocation holds device memory: {before} free before, {held} with it");
        Assert.IsTrue(Math.Abs(before - after) <= Tolerance, $"the finalizer freed it: {before} free before, {after} after");
    }

    // Creates device memory, a stream, an event and a module and drops them without Dispose.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(CudaBackend backend, long bytes)
    {
        _ = backend.Allocate(bytes);
        _ = backend.CreateStream();
        _ = backend.CreateEvent();
        _ = backend.CreateTimingEvent();
        _ = backend.LoadModule("""
            .version 7.0
            .target sm_50
            .address_size 64
            .visible .entry noop()
            {
                ret;
            }
            """);
    }

    private static void Collect()
    {
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
