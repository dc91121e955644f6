using System.Runtime.InteropServices;
using ShardStore.Cuda.Internals;

namespace ShardStore.Cuda.Interop;

internal static partial class Interop
{
    /// <summary>
    /// The CUDA driver API (cuda.h) as far as the device ring needs it. Handles (CUcontext, CUstream, CUevent) are
    /// pointers, CUdevice is an int, CUdeviceptr is 64-bit (the _v2 ABI), size_t is <see cref="nuint"/>; every
    /// function returns a CUresult.
    /// </summary>
    /// <remarks>Where cuda.h maps a name to a _v2 symbol, the _v2 symbol is imported, as a compiled program would.</remarks>
    internal static unsafe partial class CudaDriver
    {
        internal const int Success = 0;
        internal const int ErrorInvalidValue = 1;
        internal const int ErrorOutOfMemory = 2;
        internal const int ErrorNotInitialized = 3;
        internal const int ErrorNoDevice = 100;
        internal const int ErrorNotReady = 600;
        internal const int ErrorHostMemoryAlreadyRegistered = 712;
        internal const int ErrorHostMemoryNotRegistered = 713;

        /// <summary>CU_STREAM_NON_BLOCKING: no implicit synchronization with the legacy default stream.</summary>
        internal const uint StreamNonBlocking = 1;

        /// <summary>CU_EVENT_BLOCKING_SYNC: cuEventSynchronize sleeps the calling thread instead of spinning a core.</summary>
        internal const uint EventBlockingSync = 1;

        /// <summary>CU_EVENT_DISABLE_TIMING: the cheapest event, for ordering only.</summary>
        internal const uint EventDisableTiming = 2;

        /// <summary>CU_EVENT_DEFAULT: an event that records a timestamp (for cuEventElapsedTime).</summary>
        internal const uint EventDefault = 0;

        /// <summary>CU_MEMHOSTREGISTER_PORTABLE: the page-locked range is pinned for every context.</summary>
        internal const uint MemHostRegisterPortable = 1;

        /// <summary>CU_MEMHOSTREGISTER_READ_ONLY: the device only reads the range (allows read-only file mappings).</summary>
        internal const uint MemHostRegisterReadOnly = 8;

        /// <summary>
        /// Every symbol imported below. The probe resolves them all before the first call, so a driver too old for one
        /// is reported as unavailable at once, rather than failing later inside a release on the finalizer thread.
        /// </summary>
        internal static IReadOnlyList<string> Exports { get; } =
        [
            "cuInit", "cuDriverGetVersion", "cuGetErrorName", "cuGetErrorString", "cuDeviceGetCount", "cuDeviceGet",
            "cuDeviceGetName", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain", "cuDevicePrimaryCtxRelease_v2",
            "cuCtxPushCurrent_v2", "cuCtxPopCurrent_v2", "cuMemGetInfo_v2", "cuMemAlloc_v2", "cuMemFree_v2",
            "cuMemHostRegister_v2", "cuMemHostUnregister", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoH_v2", "cuMemsetD8_v2",
            "cuStreamCreate", "cuStreamDestroy_v2", "cuStreamWaitEvent", "cuMemcpyDtoHAsync_v2", "cuLaunchHostFunc",
            "cuEventCreate", "cuEventDestroy_v2", "cuEventRecord", "cuEventQuery", "cuEventSynchronize",
            "cuEventElapsedTime", "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction", "cuLaunchKernel",
        ];

        // The resolver must be registered before the first import is bound.
        static CudaDriver() => NativeLibraryResolver.EnsureRegistered();

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuInit(uint flags);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDriverGetVersion(out int driverVersion);

        /// <remarks>Writes a pointer to a static, NUL-terminated string owned by the driver.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuGetErrorName(int error, out byte* name);

        /// <remarks>Writes a pointer to a static, NUL-terminated string owned by the driver.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuGetErrorString(int error, out byte* description);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDeviceGetCount(out int count);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDeviceGet(out int device, int ordinal);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDeviceGetName(byte* name, int length, int device);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDeviceTotalMem_v2(out nuint bytes, int device);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDevicePrimaryCtxRetain(out nint context, int device);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuDevicePrimaryCtxRelease_v2(int device);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuCtxPushCurrent_v2(nint context);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuCtxPopCurrent_v2(out nint context);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemGetInfo_v2(out nuint free, out nuint total);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemAlloc_v2(out ulong devicePointer, nuint bytes);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemFree_v2(ulong devicePointer);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemHostRegister_v2(void* pointer, nuint bytes, uint flags);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemHostUnregister(void* pointer);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuMemsetD8_v2(ulong destination, byte value, nuint count);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuStreamCreate(out nint stream, uint flags);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuStreamDestroy_v2(nint stream);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuStreamWaitEvent(nint stream, nint @event, uint flags);

        /// <remarks>The callback runs on a driver thread, in stream order, and must not call the CUDA API.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuLaunchHostFunc(nint stream, delegate* unmanaged<nint, void> function, nint userData);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventCreate(out nint @event, uint flags);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventDestroy_v2(nint @event);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventRecord(nint @event, nint stream);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventQuery(nint @event);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventSynchronize(nint @event);

        /// <remarks>Both events must have been created with timing; the result is in milliseconds.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuEventElapsedTime(out float milliseconds, nint start, nint end);

        /// <remarks><paramref name="image"/> is a NUL-terminated PTX text (or a cubin); the driver JIT-compiles PTX for the device.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuModuleLoadData(out nint module, void* image);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuModuleUnload(nint module);

        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuModuleGetFunction(out nint function, nint module, byte* name);

        /// <remarks><paramref name="kernelParams"/> points to one pointer per kernel parameter, each to the parameter's value.</remarks>
        [LibraryImport(Libraries.CudaDriver)]
        internal static partial int cuLaunchKernel(
            nint function,
            uint gridDimX,
            uint gridDimY,
            uint gridDimZ,
            uint blockDimX,
            uint blockDimY,
            uint blockDimZ,
            uint sharedMemBytes,
            nint stream,
            void** kernelParams,
            void** extra);
    }
}
