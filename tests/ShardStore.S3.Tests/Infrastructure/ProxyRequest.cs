using System.Globalization;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>One request that <see cref="FaultProxy"/> received: method, target, the <c>Range</c> header if any, and the fault applied to it.</summary>
internal sealed record ProxyRequest(string Method, string Target, string? Range, ProxyFault? Fault)
{
    /// <summary>Gets the first and last byte of a <c>bytes=FIRST-LAST</c> range; null for a request without one.</summary>
    public (long First, long Last)? Bytes
    {
        get
        {
            if (Range is null || !Range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                return null;
            }

            var parts = Range["bytes=".Length..].Split('-');
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Gets whether this request asked for object <paramref name="key"/> of <paramref name="bucket"/> (path-style target).</summary>
    public bool IsFor(string bucket, string key) => Target.Split('?')[0] == $"/{bucket}/{key}";
}
