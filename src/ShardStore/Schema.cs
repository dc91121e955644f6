using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ShardStore;

/// <summary>The ordered list of fields every sample of a dataset has.</summary>
public sealed class Schema : IEquatable<Schema>
{
    /// <summary>The most fields a schema may have.</summary>
    public const int MaxFields = 1024;

    private readonly FieldSpec[] _fields;
    private readonly Dictionary<string, int> _indexByName;

    /// <summary>Creates a schema from its fields, in on-disk order.</summary>
    /// <param name="fields">One or more fields with unique names.</param>
    /// <exception cref="ArgumentException">No fields, too many, or a duplicate name.</exception>
    public Schema(params IEnumerable<FieldSpec> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = [.. fields];
        if (_fields.Length is 0 or > MaxFields)
        {
            throw new ArgumentException($"A schema has 1 to {MaxFields} fields, got {_fields.Length}.", nameof(fields));
        }

        _indexByName = new Dictionary<string, int>(_fields.Length, StringComparer.Ordinal);
        for (int i = 0; i < _fields.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_fields[i], nameof(fields));
            if (!_indexByName.TryAdd(_fields[i].Name, i))
            {
                throw new ArgumentException($"Field name '{_fields[i].Name}' appears twice.", nameof(fields));
            }
        }

        Fingerprint = ComputeFingerprint(_fields);
    }

    /// <summary>Gets the fields in on-disk order.</summary>
    public IReadOnlyList<FieldSpec> Fields => _fields;

    /// <summary>Gets the number of fields.</summary>
    public int Count => _fields.Length;

    /// <summary>Gets a 64-bit hash of names, dtypes and shapes; every shard header carries it.</summary>
    public ulong Fingerprint { get; }

    /// <summary>Gets the field at <paramref name="index"/>.</summary>
    /// <param name="index">Field index.</param>
    public FieldSpec this[int index] => _fields[index];

    /// <summary>Returns the index of the field named <paramref name="name"/>, or -1.</summary>
    /// <param name="name">Field name (ordinal comparison).</param>
    public int IndexOf(string name) => _indexByName.TryGetValue(name, out int i) ? i : -1;

    /// <summary>Returns the index of the field named <paramref name="name"/>.</summary>
    /// <param name="name">Field name (ordinal comparison).</param>
    /// <exception cref="KeyNotFoundException">No field has that name.</exception>
    public int GetIndex(string name) =>
        _indexByName.TryGetValue(name, out int i) ? i : throw new KeyNotFoundException($"No field named '{name}'; the schema has {this}.");

    /// <summary>Writes the fields as a JSON array, one object per field with its name, dtype, and shape or variable flag.</summary>
    /// <param name="writer">The writer, positioned where a value may be written (after a property name, or inside an array).</param>
    /// <param name="writeEveryProperty">
    /// False writes a field's <c>"shape"</c> only when it is fixed and <c>"variable": true</c> only when it is variable, as manifest.json stores
    /// them; true writes both on every field (<c>"variable": false</c> on a fixed field, <c>"shape": []</c> on a variable one), for readers that
    /// expect the same properties on each.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The writer is not at a place where a value may be written.</exception>
    public void WriteFieldsJson(Utf8JsonWriter writer, bool writeEveryProperty = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray();
        foreach (FieldSpec f in _fields)
        {
            writer.WriteStartObject();
            writer.WriteString("name", f.Name);
            writer.WriteString("dtype", DTypeInfo.GetName(f.DType));
            if (f.IsVariable || writeEveryProperty)
            {
                writer.WriteBoolean("variable", f.IsVariable);
            }

            if (!f.IsVariable || writeEveryProperty)
            {
                writer.WriteStartArray("shape");
                foreach (int d in f.ShapeSpan)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public bool Equals(Schema? other) => other is not null && _fields.AsSpan().SequenceEqual(other._fields);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Schema);

    /// <inheritdoc />
    public override int GetHashCode() => Fingerprint.GetHashCode();

    /// <summary>Returns the fields as text, e.g. <c>{image:f32[784], label:i64[]}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", _fields.Select(f => f.ToString())) + "}";

    private static ulong ComputeFingerprint(FieldSpec[] fields)
    {
        // Canonical bytes: per field, name length + UTF-8 name, variable flag, dtype, rank, dims (little-endian).
        var buffer = new List<byte>(fields.Length * 32);
        Span<byte> scratch = stackalloc byte[4];
        foreach (FieldSpec f in fields)
        {
            byte[] name = Encoding.UTF8.GetBytes(f.Name);
            buffer.Add((byte)name.Length);
            buffer.AddRange(name);
            buffer.Add(f.IsVariable ? (byte)1 : (byte)0);
            buffer.Add((byte)f.DType);
            buffer.Add((byte)f.ShapeSpan.Length);
            foreach (int dim in f.ShapeSpan)
            {
                BinaryPrimitives.WriteInt32LittleEndian(scratch, dim);
                buffer.AddRange(scratch);
            }
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.ToArray(), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
