using System.Runtime.InteropServices;

namespace ShardStore.Format;

/// <summary>
/// The struct-of-arrays layout of a raw chunk: per field in schema order, a section starting at a
/// multiple of 64 bytes. Fixed field: count x bytesPerSample. Variable field: (count + 1) u64 element
/// offsets starting at 0, then, at the next multiple of 64, the values.
/// </summary>
internal static class ChunkLayout
{
    /// <summary>Raw size of a chunk of <paramref name="count"/> samples whose variable fields hold the given element totals.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="count">Samples in the chunk.</param>
    /// <param name="variableElements">Per field, the total elements of a variable field (ignored for fixed fields); empty means all zero.</param>
    public static long ComputeRawSize(Schema schema, long count, ReadOnlySpan<long> variableElements)
    {
        long position = 0;
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec field = schema[f];
            position = FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
            if (field.IsVariable)
            {
                position += (count + 1) * sizeof(long);
                position = FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
                position += (variableElements.IsEmpty ? 0 : variableElements[f]) * field.ItemSize;
            }
            else
            {
                position += count * field.BytesPerSample;
            }
        }

        return position;
    }

    /// <summary>
    /// Locates every field section in <paramref name="raw"/> and checks that variable offsets start at 0,
    /// never decrease, and that the sections end exactly at the end of the chunk.
    /// </summary>
    /// <returns>The problem, or null when the layout is valid.</returns>
    public static string? TryParse(Schema schema, int count, ReadOnlySpan<byte> raw, Span<FieldSection> sections, bool validateOffsets = true)
    {
        long position = 0;
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec field = schema[f];
            position = FormatConstants.AlignUp(position, FormatConstants.SectionAlignment);
            if (!field.IsVariable)
            {
                long length = (long)count * field.BytesPerSample;
                if (position + length > raw.Length)
                {
                    return $"field '{field.Name}' runs past the end of the chunk";
                }

                sections[f] = new FieldSection((int)position, (int)length, -1);
                position += length;
                continue;
            }

            long offsetsStart = position;
            long offsetsLength = ((long)count + 1) * sizeof(long);
            if (offsetsStart + offsetsLength > raw.Length)
            {
                return $"offsets of field '{field.Name}' run past the end of the chunk";
            }

            ReadOnlySpan<long> offsets = MemoryMarshal.Cast<byte, long>(raw.Slice((int)offsetsStart, (int)offsetsLength));
            if (offsets[0] != 0)
            {
                return $"first offset of field '{field.Name}' is {offsets[0]}, not 0";
            }

            for (int i = 1; validateOffsets && i < offsets.Length; i++)
            {
                if (offsets[i] < offsets[i - 1])
                {
                    return $"offsets of field '{field.Name}' decrease at sample {i - 1} of the chunk";
                }
            }

            long elements = offsets[^1];
            long dataStart = FormatConstants.AlignUp(offsetsStart + offsetsLength, FormatConstants.SectionAlignment);
            if (dataStart > raw.Length || elements < 0 || elements > (raw.Length - dataStart) / field.ItemSize)
            {
                return $"values of field '{field.Name}' run past the end of the chunk";
            }

            long dataLength = elements * field.ItemSize;
            sections[f] = new FieldSection((int)dataStart, (int)dataLength, (int)offsetsStart);
            position = dataStart + dataLength;
        }

        return position == raw.Length ? null : $"the fields end at byte {position} but the chunk has {raw.Length} raw bytes";
    }
}
