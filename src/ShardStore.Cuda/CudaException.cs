using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static ShardStore.Cuda.Interop.Interop;

namespace ShardStore.Cuda;

/// <summary>A CUDA driver call failed; <see cref="Result"/> is its CUresult and the message carries the driver's name and text for it.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Initializes an exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public CudaException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes an exception for a failed driver call.</summary>
    /// <param name="result">The CUresult the call returned.</param>
    /// <param name="errorName">The driver's name for it, for example <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</param>
    /// <param name="message">The full message.</param>
    public CudaException(int result, string errorName, string message)
        : base(message)
    {
        Result = result;
        ErrorName = errorName;
    }

    /// <summary>Initializes an exception without a message.</summary>
    public CudaException()
    {
    }

    /// <summary>Gets the CUresult code of the failed call (0 when the exception does not come from a driver call).</summary>
    public int Result { get; }

    /// <summary>Gets the driver's name of <see cref="Result"/>, for example <c>CUDA_ERROR_ILLEGAL_ADDRESS</c>.</summary>
    public string ErrorName { get; } = string.Empty;

    /// <summary>Throws a <see cref="CudaException"/> when <paramref name="result"/> is not CUDA_SUCCESS.</summary>
    /// <param name="result">The CUresult a driver call returned.</param>
    /// <param name="call">The call's source text, filled in by the compiler.</param>
    /// <exception cref="CudaException"><paramref name="result"/> is an error.</exception>
    internal static void ThrowIfFailed(int result, [CallerArgumentExpression(nameof(result))] string? call = null)
    {
        if (result != CudaDriver.Success)
        {
            Throw(result, call);
        }
    }

    /// <summary>Builds the exception for <paramref name="result"/> with the driver's own name and description.</summary>
    internal static CudaException Create(int result, string? call)
    {
        string name = Describe(result, describe: false) ?? "CUDA_ERROR_" + result.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string text = Describe(result, describe: true) ?? "no description from the driver";
        return new CudaException(result, name, $"{call ?? "A CUDA driver call"} failed with {name} ({result}): {text}.");
    }

    [DoesNotReturn]
    private static void Throw(int result, string? call) => throw Create(result, call);

    private static unsafe string? Describe(int result, bool describe)
    {
        try
        {
            byte* text;
            int status = describe ? CudaDriver.cuGetErrorString(result, out text) : CudaDriver.cuGetErrorName(result, out text);
            return status == CudaDriver.Success && text != null ? Marshal.PtrToStringUTF8((nint)text) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }
}
