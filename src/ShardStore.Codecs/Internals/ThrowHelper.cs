using System.Diagnostics.CodeAnalysis;
using static ShardStore.Codecs.Interop.Interop;

namespace ShardStore.Codecs.Internals;

/// <summary>Throws for the codecs, off the hot path.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowLevelOutOfRange(string codecName, int level, int minLevel, int maxLevel) =>
        throw new ArgumentOutOfRangeException(
            nameof(level), level, $"{codecName} compression levels run from {minLevel} to {maxLevel}.");

    [DoesNotReturn]
    internal static void ThrowSourceTooLarge(string codecName, long length, long maxLength, string paramName) =>
        throw new ArgumentException(
            $"{codecName} cannot encode {length} bytes in one block; the limit is {maxLength} bytes. Use smaller chunks.",
            paramName);

    [DoesNotReturn]
    internal static void ThrowNativeAllocationFailed(string function) =>
        throw new InsufficientMemoryException($"{function} could not allocate native memory.");

    /// <summary>Maps a zstd error result other than "destination too small" to an exception.</summary>
    [DoesNotReturn]
    internal static void ThrowZstdFailure(string function, nuint result)
    {
        if (Zstd.ZSTD_getErrorCode(result) == Zstd.ErrorMemoryAllocation)
        {
            ThrowNativeAllocationFailed(function);
        }

        throw new InvalidOperationException($"{function} failed: {Zstd.GetErrorName(result)}.");
    }
}
