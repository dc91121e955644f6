using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ShardPack.Tests.Infrastructure;

/// <summary>Writes .npy files the way NumPy 1.23+ <c>np.save</c> does, written independently of the code under test.</summary>
internal static class NpyWriter
{
    /// <summary>The header np.save writes for <paramref name="descr"/> and <paramref name="shape"/> (C order, version 1.0).</summary>
    public static byte[] Header(string descr, params long[] shape) => Header(descr, fortranOrder: false, shape);

    public static byte[] Header(string descr, bool fortranOrder, params long[] shape)
    {
        // Python: "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" + spare space for the growth axis.
        string shapeRepr = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False") + ", 'shape': " + shapeRepr + ", }";
        if (shape.Length > 0)
        {
            long growth = fortranOrder ? shape[^1] : shape[0];
            dict += new string(' ', 21 - growth.ToString(CultureInfo.InvariantCulture).Length);
        }

        int hlen = dict.Length + 1;
        int padlen = 64 - ((6 + 2 + 2 + hlen) % 64);
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)(hlen + padlen));
        ms.Write(len);
        ms.Write(Encoding.ASCII.GetBytes(dict + new string(' ', padlen) + "\n"));
        return ms.ToArray();
    }

    /// <summary>Writes header and raw data bytes (already in the descr's byte order) to <paramref name="path"/>.</summary>
    public static void Write(string path, string descr, long[] shape, ReadOnlySpan<byte> data)
    {
        using FileStream f = File.Create(path);
        f.Write(Header(descr, shape));
        f.Write(data);
    }

    /// <summary>Writes a little-endian array of <typeparamref name="T"/>.</summary>
    public static void Write<T>(string path, string descr, long[] shape, ReadOnlySpan<T> values)
        where T : unmanaged =>
        Write(path, descr, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
}
