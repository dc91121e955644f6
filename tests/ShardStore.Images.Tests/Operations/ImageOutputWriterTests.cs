using ShardStore.Images.Operations;
using ShardStore.Images.Operations.Internals;
using ShardStore.Images.Tests.Operations.Infrastructure;

namespace ShardStore.Images.Tests.Operations;

[TestClass]
public sealed class ImageOutputWriterTests
{
    private static readonly float[] s_mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] s_std = [0.229f, 0.224f, 0.225f];

    [TestMethod]
    [DataRow(DType.U8, ImageLayout.Chw, false)]
    [DataRow(DType.U8, ImageLayout.Hwc, false)]
    [DataRow(DType.F32, ImageLayout.Chw, false)]
    [DataRow(DType.F32, ImageLayout.Chw, true)]
    [DataRow(DType.F32, ImageLayout.Hwc, true)]
    [DataRow(DType.F16, ImageLayout.Chw, true)]
    [DataRow(DType.F16, ImageLayout.Hwc, false)]
    [DataRow(DType.BF16, ImageLayout.Chw, true)]
    [DataRow(DType.BF16, ImageLayout.Hwc, true)]
    public void Write_AnyTypeAndLayout_EqualsReference(DType dtype, ImageLayout layout, bool normalize)
    {
        const int Width = 37;
        const int Height = 23;
        byte[] image = TestImages.Noise(Width, Height, 11);
        float[]? mean = normalize ? s_mean : null;
        float[]? std = normalize ? s_std : null;
        var writer = new ImageOutputWriter(dtype, layout, mean, std);

        foreach (bool flip in new[] { false, true })
        {
            byte[] output = new byte[writer.GetByteCount(Width, Height)];
            writer.Write(image, Width, Height, output, flip);
            byte[] source = flip ? ReferenceImageOps.Flip(image, Width, Height) : image;
            byte[] expected = dtype switch
            {
                DType.U8 => ReferenceImageOps.Write(source, Width, Height, layout, mean, std, v => (byte)0, b => b, isFloat: false),
                DType.F32 => ReferenceImageOps.Write(source, Width, Height, layout, mean, std, v => v, b => 0f, isFloat: true),
                DType.F16 => ReferenceImageOps.Write(source, Width, Height, layout, mean, std, v => BitConverter.HalfToUInt16Bits((Half)v), b => (ushort)0, isFloat: true),
                _ => ReferenceImageOps.Write(source, Width, Height, layout, mean, std, ReferenceImageOps.BFloat16, b => (ushort)0, isFloat: true),
            };
            CollectionAssert.AreEqual(expected, output, $"{dtype} {layout} flip={flip}");
        }
    }

    [TestMethod]
    public void Write_F32WithoutNormalization_IsPixelOver255()
    {
        var writer = new ImageOutputWriter(DType.F32, ImageLayout.Hwc);
        byte[] output = new byte[12];
        writer.Write(new byte[] { 0, 51, 255 }, 1, 1, output);
        float[] values = [BitConverter.ToSingle(output, 0), BitConverter.ToSingle(output, 4), BitConverter.ToSingle(output, 8)];
        CollectionAssert.AreEqual(new[] { 0f, 0.2f, 1f }, values);
    }

    [TestMethod]
    public void Write_F16_KnownValues()
    {
        var writer = new ImageOutputWriter(DType.F16, ImageLayout.Hwc, [0.5f, 0f, 0f], [0.5f, 1f, 0.25f]);
        byte[] output = new byte[6];
        writer.Write(new byte[] { 255, 0, 255 }, 1, 1, output);

        // (1 - 0.5) / 0.5 = 1, 0 / 1 = 0, 1 / 0.25 = 4.
        Assert.AreEqual((ushort)0x3C00, BitConverter.ToUInt16(output, 0));
        Assert.AreEqual((ushort)0x0000, BitConverter.ToUInt16(output, 2));
        Assert.AreEqual((ushort)0x4400, BitConverter.ToUInt16(output, 4));
    }

    [TestMethod]
    [DataRow(0x3F808000u, (ushort)0x3F80)] // tie, even below: stays
    [DataRow(0x3F818000u, (ushort)0x3F82)] // tie, odd below: rounds up to even
    [DataRow(0x3F808001u, (ushort)0x3F81)] // above the tie
    [DataRow(0x3F807FFFu, (ushort)0x3F80)] // below the tie
    [DataRow(0x7F7FFFFFu, (ushort)0x7F80)] // the largest f32 rounds to infinity
    [DataRow(0xFF800000u, (ushort)0xFF80)] // negative infinity
    [DataRow(0x80000001u, (ushort)0x8000)] // a negative subnormal rounds to -0
    [DataRow(0x7FC00001u, (ushort)0x7FC0)] // NaN stays NaN
    [DataRow(0x7F800001u, (ushort)0x7FC0)] // a signalling NaN whose payload is all in the low bits stays NaN
    public void BFloat16_FromSingle_RoundsToNearestEven(uint bits, ushort expected)
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        Assert.AreEqual(expected, BFloat16Bits.FromSingle(value));
        Assert.AreEqual(expected, ReferenceImageOps.BFloat16(value));
    }

    [TestMethod]
    public void BFloat16_FromSingle_EqualsReferenceOnManyValues()
    {
        var random = new Random(12);
        for (int i = 0; i < 200_000; i++)
        {
            float value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32));
            ushort actual = BFloat16Bits.FromSingle(value);
            if (float.IsNaN(value))
            {
                Assert.IsTrue(float.IsNaN(BitConverter.UInt32BitsToSingle((uint)actual << 16)), $"NaN {value} lost.");
                continue;
            }

            Assert.AreEqual(ReferenceImageOps.BFloat16(value), actual, $"bits 0x{BitConverter.SingleToUInt32Bits(value):X8}");
        }
    }

    [TestMethod]
    public void Constructor_BadArguments_Throw()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new ImageOutputWriter(DType.U8, ImageLayout.Chw, s_mean, s_std));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageOutputWriter(DType.F32, ImageLayout.Chw, [0.5f, 0.5f], [1f, 1f]));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageOutputWriter(DType.F32, ImageLayout.Chw, s_mean, default));
        Assert.ThrowsExactly<ArgumentException>(() => new ImageOutputWriter(DType.F32, ImageLayout.Chw, s_mean, [1f, 0f, 1f]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageOutputWriter(DType.I32, ImageLayout.Chw));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ImageOutputWriter(DType.F32, (ImageLayout)7));
    }

    [TestMethod]
    public void Write_ShortDestination_Throws()
    {
        var writer = new ImageOutputWriter(DType.F16, ImageLayout.Chw);
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write(new byte[12], 2, 2, new byte[23]));
        Assert.ThrowsExactly<ArgumentException>(() => writer.Write(new byte[11], 2, 2, new byte[24]));
    }
}
