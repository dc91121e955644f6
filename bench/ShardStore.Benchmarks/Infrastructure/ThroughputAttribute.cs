using BenchmarkDotNet.Attributes;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Declares how many bytes every invocation of a class's benchmarks processes, and adds a <see cref="ThroughputColumn"/> for it.</summary>
/// <param name="bytesPerInvocation">Bytes one call of each benchmark method handles (for a decoder, the decoded bytes).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ThroughputAttribute(long bytesPerInvocation) : ColumnConfigBaseAttribute(new ThroughputColumn())
{
    /// <summary>Gets the bytes one invocation processes.</summary>
    public long BytesPerInvocation { get; } = bytesPerInvocation;
}
