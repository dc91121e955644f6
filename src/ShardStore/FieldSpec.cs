using System.Collections.ObjectModel;

namespace ShardStore;

/// <summary>One named field of a schema: a fixed-shape tensor of a dtype, or a variable-length 1-D array.</summary>
public sealed class FieldSpec : IEquatable<FieldSpec>
{
    /// <summary>The longest field name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The most dimensions a fixed shape may have.</summary>
    public const int MaxRank = 8;

    private readonly int[] _shape;

    private FieldSpec(string name, DType dtype, int[] shape, bool isVariable)
    {
        ValidateName(name);
        if (!DTypeInfo.IsDefined(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"Field '{name}': unknown dtype.");
        }

        if (shape.Length > MaxRank)
        {
            throw new ArgumentException($"Field '{name}': a shape has at most {MaxRank} dimensions, got {shape.Length}.", nameof(shape));
        }

        long elements = 1;
        foreach (int dim in shape)
        {
            if (dim <= 0)
            {
                throw new ArgumentException($"Field '{name}': every dimension must be positive, got [{string.Join(", ", shape)}].", nameof(shape));
            }

            elements *= dim;
            if (elements * DTypeInfo.GetItemSize(dtype) > Array.MaxLength)
            {
                throw new ArgumentException($"Field '{name}': one sample of shape [{string.Join(", ", shape)}] exceeds {Array.MaxLength} bytes.", nameof(shape));
            }
        }

        Name = name;
        DType = dtype;
        IsVariable = isVariable;
        _shape = shape;
        ItemSize = DTypeInfo.GetItemSize(dtype);
        ElementsPerSample = isVariable ? 0 : (int)elements;
        BytesPerSample = ElementsPerSample * ItemSize;
        Shape = new ReadOnlyCollection<int>(_shape);
    }

    /// <summary>Gets the field name, unique within its schema.</summary>
    public string Name { get; }

    /// <summary>Gets the element type.</summary>
    public DType DType { get; }

    /// <summary>Gets whether each sample holds a different number of elements.</summary>
    public bool IsVariable { get; }

    /// <summary>Gets the per-sample shape of a fixed field (empty for a scalar or a variable-length field).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Gets the size of one element in bytes.</summary>
    public int ItemSize { get; }

    /// <summary>Gets the number of elements per sample of a fixed field; 0 for a variable-length field.</summary>
    public int ElementsPerSample { get; }

    /// <summary>Gets the number of bytes per sample of a fixed field; 0 for a variable-length field.</summary>
    public int BytesPerSample { get; }

    /// <summary>Creates a fixed-shape field; an empty <paramref name="shape"/> is a scalar.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="dtype">Element type.</param>
    /// <param name="shape">Per-sample dimensions, each positive.</param>
    /// <exception cref="ArgumentException">The name or shape is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not defined.</exception>
    public static FieldSpec Fixed(string name, DType dtype, params int[] shape) => new(name, dtype, (int[])shape.Clone(), isVariable: false);

    /// <summary>Creates a variable-length 1-D field (token ids, a CNTK sequence, encoded image bytes).</summary>
    /// <param name="name">Field name.</param>
    /// <param name="dtype">Element type.</param>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not defined.</exception>
    public static FieldSpec Variable(string name, DType dtype) => new(name, dtype, [], isVariable: true);

    /// <summary>Creates a variable-length byte field.</summary>
    /// <param name="name">Field name.</param>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public static FieldSpec Bytes(string name) => Variable(name, DType.U8);

    /// <inheritdoc />
    public bool Equals(FieldSpec? other) =>
        other is not null && Name == other.Name && DType == other.DType && IsVariable == other.IsVariable && _shape.AsSpan().SequenceEqual(other._shape);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FieldSpec);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, DType, IsVariable, _shape.Length);

    /// <summary>Returns the field as written in manifests, e.g. <c>image:f32[28,28]</c> or <c>tokens:i32[*]</c>.</summary>
    public override string ToString() =>
        $"{Name}:{DTypeInfo.GetName(DType)}[{(IsVariable ? "*" : string.Join(",", _shape))}]";

    internal ReadOnlySpan<int> ShapeSpan => _shape;

    private static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ArgumentException($"Field name must be 1 to {MaxNameBytes} UTF-8 bytes, got '{name}'.", nameof(name));
        }

        foreach (char c in name)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"Field name '{name}' contains a control character.", nameof(name));
            }
        }
    }
}
