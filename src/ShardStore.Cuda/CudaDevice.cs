using System.Globalization;
using System.Runtime.InteropServices;
using ShardStore.Cuda.Internals;
using static ShardStore.Cuda.Interop.Interop;

namespace ShardStore.Cuda;

/// <summary>Tells whether this process can use a CUDA GPU through the driver API, and why not when it cannot.</summary>
/// <remarks>The probe (load the driver, cuInit, count devices) runs once, on first use, and its answer is kept.</remarks>
public static class CudaDevice
{
    private static readonly Lazy<(int Count, int DriverVersion, string? Reason)> s_probe = new(Probe);

    /// <summary>Gets whether the CUDA driver loads, initializes and reports at least one device.</summary>
    public static bool IsAvailable => s_probe.Value.Reason is null;

    /// <summary>Gets why CUDA is not available (library missing, no device, or the driver's error text), or null when it is.</summary>
    public static string? UnavailableReason => s_probe.Value.Reason;

    /// <summary>Gets the number of CUDA devices (0 when CUDA is not available).</summary>
    public static int DeviceCount => s_probe.Value.Count;

    /// <summary>Gets the driver's CUDA version as the driver reports it (e.g. 12040 for 12.4), or 0 when CUDA is not available.</summary>
    public static int DriverVersion => s_probe.Value.DriverVersion;

    /// <summary>Throws when CUDA is not available or <paramref name="ordinal"/> names no device.</summary>
    /// <exception cref="InvalidOperationException">CUDA is not available; the message says why.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No device has that ordinal.</exception>
    internal static void EnsureAvailable(int ordinal)
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException($"CUDA is not available: {reason}");
        }

        if (ordinal < 0 || ordinal >= DeviceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"This machine has {DeviceCount} CUDA device(s); use cuda:0 to cuda:{DeviceCount - 1}.");
        }
    }

    /// <summary>Returns the imported symbols <paramref name="library"/> does not export, comma-separated, or null when it has them all.</summary>
    internal static string? MissingExports(nint library)
    {
        string[] missing = [.. CudaDriver.Exports.Where(name => !NativeLibrary.TryGetExport(library, name, out _))];
        return missing.Length == 0 ? null : string.Join(", ", missing);
    }

    private static (int Count, int DriverVersion, string? Reason) Probe()
    {
        if (!Environment.Is64BitProcess)
        {
            return (0, 0, "the CUDA driver API (64-bit device pointers) needs a 64-bit process.");
        }

        try
        {
            if (MissingExports(NativeLibraryResolver.LoadDriver()) is { } missing)
            {
                return (0, 0, $"the CUDA driver {NativeLibraryResolver.CudaDriverLibrary.DisplayName} is too old for ShardStore.Cuda: it lacks {missing}; update the NVIDIA driver (CUDA 11.0 or later).");
            }

            int result = CudaDriver.cuInit(0);
            if (result != CudaDriver.Success)
            {
                return (0, 0, CudaException.Create(result, "cuInit(0)").Message);
            }

            result = CudaDriver.cuDriverGetVersion(out int version);
            if (result != CudaDriver.Success)
            {
                return (0, 0, CudaException.Create(result, "cuDriverGetVersion").Message);
            }

            result = CudaDriver.cuDeviceGetCount(out int count);
            if (result != CudaDriver.Success)
            {
                return (0, version, CudaException.Create(result, "cuDeviceGetCount").Message);
            }

            return count == 0
                ? (0, version, string.Create(CultureInfo.InvariantCulture, $"the CUDA driver (version {version}) reports no device."))
                : (count, version, null);
        }
        catch (DllNotFoundException e)
        {
            return (0, 0, e.Message);
        }
        catch (EntryPointNotFoundException e)
        {
            return (0, 0, $"the CUDA driver is too old for ShardStore.Cuda (it lacks an entry point: {e.Message}); update the NVIDIA driver.");
        }
        catch (MarshalDirectiveException e)
        {
            return (0, 0, e.Message);
        }
    }
}
