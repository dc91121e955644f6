using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using ShardPack.Importers;
using ShardPack.Tests.Infrastructure;
using ShardStore.Codecs;

namespace ShardPack.Tests;

[TestClass]
public sealed partial class NpyImporterTests
{
    [TestMethod]
    [DataRow("|u1", DType.U8)]
    [DataRow("|i1", DType.I8)]
    [DataRow("<u2", DType.U16)]
    [DataRow("<i2", DType.I16)]
    [DataRow("<u4", DType.U32)]
    [DataRow("<i4", DType.I32)]
    [DataRow("<u8", DType.U64)]
    [DataRow("<i8", DType.I64)]
    [DataRow("<f2", DType.F16)]
    [DataRow("<f4", DType.F32)]
    [DataRow("<f8", DType.F64)]
    [DataRow("=i4", DType.I32)]
    [DataRow("|b1", DType.U8)]
    public void Pack_EveryDType_ReadsBackEveryValue(string descr, DType expected)
    {
        using var dir = new TempDirectory();
        int itemSize = DTypeInfo.GetItemSize(expected);
        byte[] data = new byte[1000 * 3 * itemSize];
        new Random(descr.GetHashCode(StringComparison.Ordinal)).NextBytes(data);
        if (descr == "|b1")
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] &= 1;
            }
        }

        NpyWriter.Write(dir.Combine("x.npy"), descr, [1000, 3], data);

        CliResult r = Pack(dir, "x=" + dir.Combine("x.npy"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset ds = Open(dir.Combine("out"));
        Assert.AreEqual(1000L, ds.SampleCount);
        Assert.AreEqual(FieldSpec.Fixed("x", expected, 3), ds.Schema[0]);
        Assert.IsGreaterThan(1L, ds.ChunkCount);
        CollectionAssert.AreEqual(data, ReadField(ds, 0));
    }

    [TestMethod]
    public void Pack_MultipleFieldsWithShapes_SchemaAndValuesMatch()
    {
        using var dir = new TempDirectory();
        float[] images = [.. Enumerable.Range(0, 50 * 4 * 5).Select(i => i * 0.5f)];
        long[] labels = [.. Enumerable.Range(0, 50).Select(i => (long)i * 1_000_000_007)];
        byte[] masks = [.. Enumerable.Range(0, 50 * 2 * 3 * 2).Select(i => (byte)(i % 251))];
        NpyWriter.Write<float>(dir.Combine("images.npy"), "<f4", [50, 4, 5], images);
        NpyWriter.Write<long>(dir.Combine("labels.npy"), "<i8", [50], labels);
        NpyWriter.Write<byte>(dir.Combine("masks.npy"), "|u1", [50, 2, 3, 2], masks);

        CliResult r = Pack(dir, "image=" + dir.Combine("images.npy"), "label=" + dir.Combine("labels.npy"), "mask=" + dir.Combine("masks.npy"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset ds = Open(dir.Combine("out"));
        Assert.AreEqual(
            new Schema(FieldSpec.Fixed("image", DType.F32, 4, 5), FieldSpec.Fixed("label", DType.I64), FieldSpec.Fixed("mask", DType.U8, 2, 3, 2)),
            ds.Schema);
        CollectionAssert.AreEqual(images, MemoryMarshal.Cast<byte, float>(ReadField(ds, 0)).ToArray());
        CollectionAssert.AreEqual(labels, MemoryMarshal.Cast<byte, long>(ReadField(ds, 1)).ToArray());
        CollectionAssert.AreEqual(masks, ReadField(ds, 2));
    }

    [TestMethod]
    public void Pack_BigEndianInt32_SwapsToLittleEndian()
    {
        using var dir = new TempDirectory();
        int[] values = [.. Enumerable.Range(0, 1000).Select(i => (i * 7919) - 123456)];
        byte[] bigEndian = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bigEndian.AsSpan(i * 4), values[i]);
        }

        NpyWriter.Write(dir.Combine("be.npy"), ">i4", [500, 2], bigEndian);

        CliResult r = Pack(dir, "v=" + dir.Combine("be.npy"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset ds = Open(dir.Combine("out"));
        Assert.AreEqual(FieldSpec.Fixed("v", DType.I32, 2), ds.Schema[0]);
        CollectionAssert.AreEqual(values, MemoryMarshal.Cast<byte, int>(ReadField(ds, 0)).ToArray());
    }

    [TestMethod]
    public void Pack_BigEndianFloat64_SwapsToLittleEndian()
    {
        using var dir = new TempDirectory();
        double[] values = [.. Enumerable.Range(0, 64).Select(i => Math.PI * i)];
        byte[] bigEndian = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(bigEndian.AsSpan(i * 8), values[i]);
        }

        NpyWriter.Write(dir.Combine("be.npy"), ">f8", [64], bigEndian);

        CliResult r = Pack(dir, "v=" + dir.Combine("be.npy"));

        Assert.AreEqual(ExitCodes.Success, r.ExitCode, r.ToString());
        using ShardDataset ds = Open(dir.Combine("out"));
        CollectionAssert.AreEqual(values, MemoryMarshal.Cast<byte, double>(ReadField(ds, 0)).ToArray());
    }

    [TestMethod]
    public void Pack_TruncatedHeader_ExitsThreeWithoutOutput()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("x.npy"), NpyWriter.Header("<f4", 10, 3)[..40]);

        CliResult r = Pack(dir, "x=" + dir.Combine("x.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("x.npy", r.Error);
        Assert.Contains("byte offset", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Pack_BadMagic_ExitsThreeAtOffsetZero()
    {
        using var dir = new TempDirectory();
        byte[] file = [.. NpyWriter.Header("<f4", 2), .. new byte[8]];
        file[1] = (byte)'X';
        File.WriteAllBytes(dir.Combine("x.npy"), file);

        CliResult r = Pack(dir, "x=" + dir.Combine("x.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("byte offset 0", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    [DataRow("<c8", 8)]
    [DataRow("<U10", 40)]
    [DataRow("|O", 8)]
    [DataRow("<f16", 16)]
    public void Pack_UnsupportedDType_ExitsThreeNamingFileAndDType(string descr, int itemSize)
    {
        using var dir = new TempDirectory();
        NpyWriter.Write(dir.Combine("odd.npy"), descr, [4], new byte[4 * itemSize]);

        CliResult r = Pack(dir, "x=" + dir.Combine("odd.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("odd.npy", r.Error);
        Assert.Contains($"'{descr}'", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Pack_TruncatedData_ExitsThreeWithExpectedAndActualLength()
    {
        using var dir = new TempDirectory();
        byte[] header = NpyWriter.Header("<i4", 10, 3);
        File.WriteAllBytes(dir.Combine("x.npy"), [.. header, .. new byte[(10 * 3 * 4) - 5]]);

        CliResult r = Pack(dir, "x=" + dir.Combine("x.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("x.npy", r.Error);
        Assert.Contains($"expected {header.Length + 120} bytes", r.Error);
        Assert.Contains($"has {header.Length + 115}", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Pack_MismatchedFirstDimension_ExitsThreeNamingBothFiles()
    {
        using var dir = new TempDirectory();
        NpyWriter.Write<int>(dir.Combine("a.npy"), "<i4", [10], new int[10]);
        NpyWriter.Write<int>(dir.Combine("b.npy"), "<i4", [11], new int[11]);

        CliResult r = Pack(dir, "a=" + dir.Combine("a.npy"), "b=" + dir.Combine("b.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("a.npy", r.Error);
        Assert.Contains("b.npy", r.Error);
        Assert.IsFalse(Directory.Exists(dir.Combine("out")));
    }

    [TestMethod]
    public void Pack_FortranOrder2D_ExitsThreeSuggestingContiguous()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("f.npy"), [.. NpyWriter.Header("<f4", fortranOrder: true, 4, 3), .. new byte[48]]);

        CliResult r = Pack(dir, "x=" + dir.Combine("f.npy"));

        Assert.AreEqual(ExitCodes.BadData, r.ExitCode, r.ToString());
        Assert.Contains("f.npy", r.Error);
        Assert.Contains("np.ascontiguousarray", r.Error);
    }

    [TestMethod]
    public void Pack_MissingFile_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Pack(dir, "x=" + dir.Combine("nope.npy"));

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("nope.npy", r.Error);
    }

    [TestMethod]
    [DataRow("image")]
    [DataRow("=a.npy")]
    [DataRow("image=")]
    public void Pack_BadFieldSyntax_ExitsTwo(string field)
    {
        using var dir = new TempDirectory();

        CliResult r = Pack(dir, field);

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
        Assert.Contains("NAME=FILE.npy", r.Error);
    }

    [TestMethod]
    public void Pack_NoField_ExitsTwo()
    {
        using var dir = new TempDirectory();

        CliResult r = Cli.Run("pack", "--from", "npy", "-o", dir.Combine("out"));

        Assert.AreEqual(ExitCodes.InvalidArguments, r.ExitCode, r.ToString());
    }

    [TestMethod]
    public void Read_Version2HeaderWithDoubleQuotesAndLongSuffix_Parses()
    {
        string dict = "{\"descr\": \">u2\", \"shape\": (7L, 3), \"fortran_order\": False}\n";
        byte[] text = Encoding.ASCII.GetBytes(dict);
        byte[] file = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes((uint)text.Length), .. text];
        using var stream = new MemoryStream(file);

        NpyHeader h = NpyHeader.Read(stream, "v2.npy");

        Assert.AreEqual(">u2", h.Descr);
        Assert.IsFalse(h.FortranOrder);
        CollectionAssert.AreEqual(new long[] { 7, 3 }, h.Shape.ToArray());
        Assert.AreEqual(12 + text.Length, h.DataOffset);
    }

    [TestMethod]
    public void Read_UnclosedDict_ThrowsNamingFileAndOffset()
    {
        byte[] text = Encoding.ASCII.GetBytes("{'descr': '<f4', 'shape': (3,)       \n");
        byte[] file = [0x93, .. "NUMPY"u8, 1, 0, (byte)text.Length, 0, .. text];
        using var stream = new MemoryStream(file);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => NpyHeader.Read(stream, "bad.npy"));

        Assert.Contains("bad.npy", e.Message);
        Assert.AreEqual(10L + text.Length, e.Data[DataErrors.ByteOffsetKey]);
    }

    [TestMethod]
    [DataRow("[", 20_000)]
    [DataRow("(", 33)]
    [DataRow("{'a': ", 40)]
    public void Read_NestingDeeperThanLimit_ThrowsNamingFileAndOffset(string open, int depth)
    {
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + string.Concat(Enumerable.Repeat(open, depth)) + "\n";
        byte[] text = Encoding.ASCII.GetBytes(dict);
        byte[] file = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes((uint)text.Length), .. text];
        using var stream = new MemoryStream(file);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => NpyHeader.Read(stream, "deep.npy"));

        Assert.Contains("'deep.npy'", e.Message);
        Assert.Contains("nest", e.Message);
        Assert.IsInstanceOfType<long>(e.Data[DataErrors.ByteOffsetKey]);
    }

    [TestMethod]
    public void Read_NestingAtLimit_ParsesPastIt()
    {
        // Nesting up to the limit is accepted by the parser; the shape it yields is then rejected as not a tuple of integers.
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + new string('(', NpyHeader.MaxNesting - 1) + new string(')', NpyHeader.MaxNesting - 1) + "}\n";
        byte[] text = Encoding.ASCII.GetBytes(dict);
        byte[] file = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes((uint)text.Length), .. text];
        using var stream = new MemoryStream(file);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => NpyHeader.Read(stream, "ok.npy"));

        Assert.Contains("'shape' tuple", e.Message);
    }

    [TestMethod]
    public void Read_HeaderLengthAboveLimit_ThrowsWithoutReadingIt()
    {
        byte[] file = [0x93, .. "NUMPY"u8, 2, 0, .. BitConverter.GetBytes((uint)NpyHeader.MaxHeaderBytes + 1)];
        using var stream = new MemoryStream(file);

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => NpyHeader.Read(stream, "long.npy"));

        Assert.Contains("'long.npy', byte offset 8", e.Message);
    }

    [TestMethod]
    [DataRow("<f4", new long[] { 100, 28, 28 })]
    [DataRow("<i8", new long[] { 3 })]
    [DataRow("|u1", new long[] { 123456789, 2 })]
    [DataRow("<f2", new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void Build_AnyShape_MatchesNumpyLayout(string descr, long[] shape)
    {
        byte[] header = NpyHeader.Build(descr, shape);

        CollectionAssert.AreEqual(NpyWriter.Header(descr, shape), header);
        Assert.AreEqual(0, header.Length % 64);
        Assert.AreEqual((byte)'\n', header[^1]);
        using var stream = new MemoryStream(header);
        NpyHeader parsed = NpyHeader.Read(stream, "h.npy");
        Assert.AreEqual(descr, parsed.Descr);
        CollectionAssert.AreEqual(shape, parsed.Shape.ToArray());
        Assert.AreEqual(header.Length, parsed.DataOffset);
    }

    [TestMethod]
    public void Build_SmallVector_MatchesKnownNumpyBytes()
    {
        // np.save of np.arange(3) (int64): a 128-byte header whose length field is 118 ('v').
        byte[] header = NpyHeader.Build("<i8", [3]);

        Assert.AreEqual(128, header.Length);
        CollectionAssert.AreEqual(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 }, header[..10]);
        StringAssert.StartsWith(Encoding.ASCII.GetString(header, 10, 118), "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }");
        Assert.AreEqual(new string(' ', 128 - 10 - 57 - 1), Encoding.ASCII.GetString(header, 10 + 57, 128 - 10 - 57 - 1));
    }

    private static CliResult Pack(TempDirectory dir, params string[] fields)
    {
        var args = new List<string> { "pack", "--from", "npy", "-o", dir.Combine("out"), "--chunk-size", "1K", "--threads", "2", "-q" };
        foreach (string f in fields)
        {
            args.Add("--field");
            args.Add(f);
        }

        return Cli.Run([.. args]);
    }

    private static ShardDataset Open(string directory) => ShardDataset.Open(directory, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });

    private static byte[] ReadField(ShardDataset ds, int field)
    {
        using var all = new MemoryStream();
        for (int s = 0; s < ds.Shards.Count; s++)
        {
            for (int c = 0; c < ds.GetChunkCount(s); c++)
            {
                using ChunkLease lease = ds.ReadChunk(s, c);
                all.Write(lease.GetFixed<byte>(field));
            }
        }

        return all.ToArray();
    }
}
