using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Codecs;

// Pixel-exact comparison with PIL's Image.open(f).convert("RGB") on real photographs re-encoded by PIL.
public sealed partial class ImageDecoderTests
{
    [TestMethod]
    [DataRow("_420.jpg")]
    [DataRow("_444.jpg")]
    [DataRow("_422.jpg")]
    [DataRow("_progressive.jpg")]
    [DataRow("_optimized.jpg")]
    [DataRow("_gray.jpg")]
    [DataRow("_cmyk.jpg")]
    [DataRow("_ycck.jpg")]
    [DataRow("_original.jpg")]
    [DataRow("_rgb.png")]
    [DataRow("_rgba.png")]
    [DataRow("_gray.png")]
    [DataRow("_gray_alpha.png")]
    [DataRow("_palette.png")]
    [DataRow("_palette4.png")]
    [DataRow("_palette_trns.png")]
    [DataRow("_bilevel.png")]
    [DataRow("_rgb16.png")]
    public void Decode_RealPhotograph_MatchesPilExactly(string variant)
    {
        PilFixtureSet set = PilFixtureSet.Get();
        PilFixtureSet.Entry[] images = [.. set.Encoded(variant)];
        Assert.IsNotEmpty(images, $"PIL wrote no *{variant} files.");
        using var decoder = new ImageDecoder();
        foreach (PilFixtureSet.Entry image in images)
        {
            byte[] encoded = File.ReadAllBytes(image.Path);
            byte[] expected = File.ReadAllBytes(image.ReferencePath);
            var actual = new byte[expected.Length];

            ImageSize size = decoder.Decode(encoded, actual);

            Assert.AreEqual(new ImageSize(image.Width, image.Height), size, image.Name);
            AssertSameBytes(expected, actual, image.Name, image.Width);
        }
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(4)]
    [DataRow(8)]
    public void Decode_ScaledJpeg_MatchesPilDraftExactly(int scale)
    {
        PilFixtureSet set = PilFixtureSet.Get();
        using var decoder = new ImageDecoder();
        int compared = 0;
        foreach (PilFixtureSet.Entry image in set.Encoded(".jpg"))
        {
            PilFixtureSet.Entry draft = set.Draft(image, scale);
            byte[] encoded = File.ReadAllBytes(image.Path);
            byte[] expected = File.ReadAllBytes(draft.Path);
            var actual = new byte[expected.Length];

            ImageSize size = decoder.Decode(encoded, actual, draft.Width, draft.Height);

            Assert.AreEqual(new ImageSize(draft.Width, draft.Height), size, $"{image.Name} at 1/{scale}");
            AssertSameBytes(expected, actual, $"{image.Name} at 1/{scale}", draft.Width);
            compared++;
        }

        Assert.IsGreaterThan(0, compared, "No JPEG fixtures were compared.");
    }

    [TestMethod]
    public void ReadInfo_RealPhotographs_SizeMatchesPil()
    {
        PilFixtureSet set = PilFixtureSet.Get();
        using var decoder = new ImageDecoder();
        foreach (PilFixtureSet.Entry image in set.Encoded(".jpg").Concat(set.Encoded(".png")))
        {
            ImageInfo info = decoder.ReadInfo(File.ReadAllBytes(image.Path));

            Assert.AreEqual((image.Width, image.Height), (info.Width, info.Height), image.Name);
        }
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual, string name, int width)
    {
        int first = expected.AsSpan().CommonPrefixLength(actual);
        if (first == expected.Length && actual.Length == expected.Length)
        {
            return;
        }

        int differing = 0;
        int largest = 0;
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            int delta = Math.Abs(expected[i] - actual[i]);
            differing += delta == 0 ? 0 : 1;
            largest = Math.Max(largest, delta);
        }

        int pixel = first / 3;
        Assert.Fail(
            $"{name}: {differing} of {expected.Length} bytes differ from PIL (largest difference {largest}); the first at pixel " +
            $"({pixel % width}, {pixel / width}) channel {first % 3}: PIL {expected[first]}, ours {actual[first]}.");
    }
}
