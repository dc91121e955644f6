using BenchmarkDotNet.Attributes;

namespace ShardStore.Benchmarks.Infrastructure;

/// <summary>Declares how many items (samples, shards) every invocation of a class's benchmarks handles, and adds a <see cref="PerItemColumn"/> for it.</summary>
/// <param name="itemsPerInvocation">Items one call of each benchmark method handles.</param>
/// <param name="itemName">The item's name in the column header, for example <c>sample</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PerItemAttribute(long itemsPerInvocation, string itemName) : ColumnConfigBaseAttribute(new PerItemColumn(itemName))
{
    /// <summary>Gets the items one invocation handles.</summary>
    public long ItemsPerInvocation { get; } = itemsPerInvocation;

    /// <summary>Gets the item's name.</summary>
    public string ItemName { get; } = itemName;
}
