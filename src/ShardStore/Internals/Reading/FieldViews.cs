namespace ShardStore.Internals.Reading;

/// <summary>The checks every typed view of a field makes, shared by chunk leases and batches.</summary>
internal static class FieldViews
{
    /// <summary>Returns the field's spec after checking the index, the fixed/variable kind and the element type.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="field"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The field is of the other kind, or <typeparamref name="T"/> does not match its dtype.</exception>
    public static FieldSpec Check<T>(Schema schema, int field, bool variable)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(field, schema.Count);
        FieldSpec spec = schema[field];
        if (spec.IsVariable != variable)
        {
            throw new ArgumentException($"Field '{spec.Name}' is {(spec.IsVariable ? "variable-length; use GetVariable" : "fixed; use GetFixed")}.", nameof(field));
        }

        if (!DTypeInfo.IsCompatible<T>(spec.DType))
        {
            throw new ArgumentException($"Field '{spec.Name}' is {DTypeInfo.GetName(spec.DType)}; it cannot be viewed as {typeof(T).Name}.", nameof(field));
        }

        return spec;
    }
}
