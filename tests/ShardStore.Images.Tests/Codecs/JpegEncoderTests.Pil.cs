using ShardStore.Images.Codecs;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Codecs;

// Our JPEGs read by PIL: the same pixels as our decoder gives, and close to the source.
public sealed partial class JpegEncoderTests
{
    private const string PilDecodeScript =
        "import sys\nfrom PIL import Image\nfor p in sys.argv[1:]:\n    open(p + '.rgb', 'wb').write(Image.open(p).convert('RGB').tobytes())\n";

    [TestMethod]
    public void Encode_SmallFixtures_PilDecodesExactlyAsOurDecoder()
    {
        string python = PilReference.RequirePython();
        using var dir = new TempDirectory();
        var cases = new List<(string Path, byte[] Source, int Width, int Height)>();
        foreach (JpegSubsampling subsampling in Enum.GetValues<JpegSubsampling>())
        {
            foreach (string name in new[] { "photo_rgb.png", "photo_420.jpg", "photo_palette.png" })
            {
                (byte[] source, int width, int height) = DecodeFixture(name);
                using var encoder = new JpegEncoder(90, subsampling);
                string path = dir.Combine($"{name}.{subsampling}.jpg");
                File.WriteAllBytes(path, encoder.Encode(source, width, height));
                cases.Add((path, source, width, height));
            }
        }

        PilReference.Run(python, ["-c", PilDecodeScript, .. cases.Select(c => c.Path)]);

        foreach ((string path, byte[] source, int width, int height) in cases)
        {
            AssertPilMatches(path, source, width, height);
        }
    }

    [TestMethod]
    public void Encode_RealPhotographs_PilDecodesExactlyAsOurDecoder()
    {
        PilFixtureSet set = PilFixtureSet.Get();
        string python = PilReference.RequirePython();
        using var dir = new TempDirectory();
        var cases = new List<(string Path, byte[] Source, int Width, int Height)>();
        using var encoder = new JpegEncoder();
        foreach (PilFixtureSet.Entry photo in set.Encoded("_rgb.png"))
        {
            byte[] source = File.ReadAllBytes(photo.ReferencePath);
            string path = dir.Combine(Path.GetFileName(photo.Path) + ".jpg");
            File.WriteAllBytes(path, encoder.Encode(source, photo.Width, photo.Height));
            cases.Add((path, source, photo.Width, photo.Height));
        }

        Assert.IsNotEmpty(cases, "PIL wrote no *_rgb.png photographs.");
        PilReference.Run(python, ["-c", PilDecodeScript, .. cases.Select(c => c.Path)]);

        foreach ((string path, byte[] source, int width, int height) in cases)
        {
            AssertPilMatches(path, source, width, height);
        }
    }

    private static void AssertPilMatches(string path, byte[] source, int width, int height)
    {
        byte[] pil = File.ReadAllBytes(path + ".rgb");
        byte[] ours = Decode(File.ReadAllBytes(path), width, height);
        int first = pil.AsSpan().CommonPrefixLength(ours);
        Assert.IsTrue(first == pil.Length && pil.Length == ours.Length, $"{Path.GetFileName(path)}: our decode differs from PIL's at byte {first}.");
        (double mean, double psnr) = Compare(source, pil);
        Assert.IsLessThan(4.0, mean, $"{Path.GetFileName(path)}: mean absolute error against the source");
        Assert.IsGreaterThan(30.0, psnr, $"{Path.GetFileName(path)}: PSNR against the source, dB");
    }
}
