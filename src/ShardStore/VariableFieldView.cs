namespace ShardStore;

/// <summary>The values of a variable-length field for a run of samples: element offsets and the concatenated values.</summary>
/// <typeparam name="T">Element type.</typeparam>
/// <remarks>Valid as long as the lease it came from is not disposed.</remarks>
public readonly ref struct VariableFieldView<T>
    where T : unmanaged
{
    internal VariableFieldView(ReadOnlySpan<long> offsets, ReadOnlySpan<T> values)
    {
        Offsets = offsets;
        Values = values;
    }

    /// <summary>Gets the Count + 1 element offsets; sample i holds <c>Values[Offsets[i]..Offsets[i + 1]]</c>.</summary>
    public ReadOnlySpan<long> Offsets { get; }

    /// <summary>Gets the values of all samples, one after another.</summary>
    public ReadOnlySpan<T> Values { get; }

    /// <summary>Gets the number of samples.</summary>
    public int Count => Offsets.Length - 1;

    /// <summary>Gets the values of sample <paramref name="index"/>.</summary>
    /// <param name="index">Sample index within the view.</param>
    public ReadOnlySpan<T> this[int index] => Values[(int)Offsets[index]..(int)Offsets[index + 1]];
}
