using System.Buffers;

namespace ShardStore.Internals.Writing;

/// <summary>An append-only byte buffer over arrays rented from the shared pool.</summary>
internal sealed class GrowableBuffer : IDisposable
{
    private byte[] _array;

    public GrowableBuffer(int initialCapacity) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    /// <summary>Returns the next <paramref name="count"/> bytes to fill and counts them as written.</summary>
    public Span<byte> Append(int count)
    {
        if (_array.Length - Length < count)
        {
            long needed = (long)Length + count;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException($"A chunk field would exceed {Array.MaxLength} bytes.");
            }

            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)_array.Length * 2), Array.MaxLength));
            _array.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }

        Span<byte> span = _array.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes, moving the rest to the front.</summary>
    public void RemoveFront(int count)
    {
        _array.AsSpan(count, Length - count).CopyTo(_array);
        Length -= count;
    }

    public void Truncate(int length) => Length = length;

    public void Dispose()
    {
        if (_array.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
            Length = 0;
        }
    }
}
