using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;
using ShardStore.Testing.Fuzzing;

namespace ShardStore.Images.Tests.Codecs;

// Mutated JPEG and PNG files (see FuzzRunner): each case ends in a decoded image or an InvalidDataException, within
// the runner's time and allocation bounds; never a crash, a hang or another exception.
public sealed partial class ImageDecoderTests
{
    private static readonly IReadOnlyList<byte[]> s_imageTokens =
    [
        [0xFF, 0xD8], [0xFF, 0xD9], [0xFF, 0xDA], [0xFF, 0xC0], [0xFF, 0xC2], [0xFF, 0xC4], [0xFF, 0xDB], [0xFF, 0xDD],
        [0xFF, 0xEE], [0xFF, 0xD0], [0xFF, 0x00], [0xFF, 0xFF], "IHDR"u8.ToArray(), "IDAT"u8.ToArray(), "IEND"u8.ToArray(),
        "PLTE"u8.ToArray(), "tRNS"u8.ToArray(), "iCCP"u8.ToArray(), "zTXt"u8.ToArray(), "Adobe"u8.ToArray(),
    ];

    [TestMethod]
    public void Decode_MutatedImages_DecodeOrInvalidData()
    {
        byte[][] corpus = [.. SmallFixtures.Names.Select(SmallFixtures.Read)];

        FuzzCounts counts = FuzzRunner.Run(FuzzTarget.OfBytes("image-decode", DecodeBounded), seed: 1500000, FuzzRunner.Cases(1500), corpus, s_imageTokens);

        Assert.IsGreaterThan(0, counts.Rejected, "no mutant was refused: the mutations do not reach the decoder");
    }

    [TestMethod]
    public void Decode_MutatedPngsWithValidCrcs_DecodeOrInvalidData()
    {
        // CRCs recomputed after mutating, so the mutants get past the chunk checks into inflate and unfiltering.
        byte[][] corpus = [.. SmallFixtures.Names.Where(n => n.EndsWith(".png", StringComparison.Ordinal)).Select(SmallFixtures.Read)];
        var valid = corpus.Select(FuzzCase.Of).ToList();

        FuzzCounts counts = FuzzRunner.Run(
            FuzzTarget.OfBytes("png-decode-crc", DecodeBounded),
            seed: 1600000,
            FuzzRunner.Cases(800),
            random =>
            {
                byte[] mutant = new Mutator(random, s_imageTokens).Next(corpus);
                ImageBytes.FixPngCrcs(mutant);
                return FuzzCase.Of(mutant);
            },
            valid);

        Assert.IsGreaterThan(0, counts.Rejected, "no mutant was refused: the mutations do not reach the decoder");
    }

    private static void DecodeBounded(byte[] data)
    {
        // A bound well under the runner's allocation limit: a mutant may declare any size.
        using var decoder = new ImageDecoder(new ImageDecoderOptions { MaxPixels = 1 << 20, MaxSide = 4096 });
        ImageInfo info = decoder.ReadInfo(data);
        ImageSize size = ImageDecoder.GetDecodedSize(info, info.Width / 2, info.Height / 3);
        var destination = new byte[size.RgbByteCount];
        ImageSize decoded = decoder.Decode(data, destination, info.Width / 2, info.Height / 3);
        Assert.AreEqual(size, decoded);
    }
}
