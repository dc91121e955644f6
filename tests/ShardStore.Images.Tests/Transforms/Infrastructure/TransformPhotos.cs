using System.Globalization;
using ShardStore.Images.Tests.Infrastructure;

namespace ShardStore.Images.Tests.Transforms.Infrastructure;

/// <summary>
/// JPEGs of varied sizes (100 to 640 pixels a side, qualities 75 to 95, every chroma subsampling) that PIL cuts and
/// re-encodes from real photographs, plus gray, CMYK and PNG variants with PIL's RGB decode of each; generated once
/// per test run. Inconclusive without python3 with PIL or the photographs.
/// </summary>
internal sealed class TransformPhotos
{
    public const int JpegCount = 24;

    private const string PhotosVariable = "SHARDSTORE_TEST_PHOTOS";
    private const string InstalledPhotos = "/usr/lib/python3/dist-packages/skimage/data";

    private const string Script = """
        import random, sys
        from PIL import Image

        mode, out = sys.argv[1], sys.argv[2]
        if mode == "jpegs":
            count, photos = int(sys.argv[3]), sys.argv[4:]
            rng = random.Random(15)
            images = [Image.open(p).convert("RGB") for p in photos]
            for i in range(count):
                im = images[i % len(images)]
                w, h = im.size
                cw, ch = rng.randint(w * 2 // 5, w), rng.randint(h * 2 // 5, h)
                x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
                side = rng.randint(100, 640)
                s = side / max(cw, ch)
                c = im.crop((x, y, x + cw, y + ch)).resize((max(1, round(cw * s)), max(1, round(ch * s))), Image.BILINEAR)
                name = f"img{i:03}.jpg"
                c.save(f"{out}/{name}", quality=rng.choice([75, 85, 90, 95]), subsampling=rng.choice([0, 1, 2]))
                print(name, *c.size)
        elif mode == "colors":
            im = Image.open(sys.argv[3]).convert("RGB")
            im = im.resize((300, round(300 * im.size[1] / im.size[0])), Image.BILINEAR)
            variants = {
                "gray.jpg": lambda p: im.convert("L").save(p, quality=90),
                "cmyk.jpg": lambda p: im.convert("CMYK").save(p, quality=90),
                "rgb.png": lambda p: im.save(p),
                "gray.png": lambda p: im.convert("L").save(p),
                "rgba.png": lambda p: im.convert("RGBA").save(p),
                "palette.png": lambda p: im.convert("P").save(p),
            }
            for name, save in variants.items():
                save(f"{out}/{name}")
                ref = Image.open(f"{out}/{name}").convert("RGB")
                open(f"{out}/{name}.rgb", "wb").write(ref.tobytes())
                print(name, *ref.size)
        elif mode == "center":
            width, height, fraction = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
            with open(out, "wb") as f:
                for path in sys.argv[6:]:
                    im = Image.open(path).convert("RGB")
                    w, h = im.size
                    aspect = width / height
                    rw, rh = (h * aspect, h) if w / h > aspect else (w, w / aspect)
                    cw, ch = min(max(round(rw * fraction), 1), w), min(max(round(rh * fraction), 1), h)
                    left, top = round((w - cw) / 2), round((h - ch) / 2)
                    box = im.crop((left, top, left + cw, top + ch))
                    f.write(box.resize((width, height), Image.BILINEAR, reducing_gap=None).tobytes())
        """;

    private static readonly Lazy<TransformPhotos> s_shared = new(Create);
    private static readonly TempDirectory s_folder = new();

    private TransformPhotos(string python, IReadOnlyList<Photo> jpegs, IReadOnlyList<Photo> colors)
    {
        Python = python;
        Jpegs = jpegs;
        Colors = colors;
    }

    /// <summary>Gets the python3 that imports PIL.</summary>
    public string Python { get; }

    /// <summary>Gets the JPEGs of varied sizes.</summary>
    public IReadOnlyList<Photo> Jpegs { get; }

    /// <summary>Gets gray.jpg, cmyk.jpg, rgb.png, gray.png, rgba.png and palette.png, each with PIL's RGB decode at <see cref="Photo.ReferencePath"/>.</summary>
    public IReadOnlyList<Photo> Colors { get; }

    public static TransformPhotos Get() => s_shared.Value;

    /// <summary>Deletes the generated files.</summary>
    public static void DeleteGenerated() => s_folder.Dispose();

    /// <summary>Returns PIL's decode + centre crop (<paramref name="fraction"/> of the largest region of the output's aspect) + bilinear resize of each file, concatenated (RGB HWC).</summary>
    public byte[] PilCenterCrops(IEnumerable<Photo> photos, int width, int height, double fraction)
    {
        string output = s_folder.Combine($"center-{Guid.NewGuid():N}.rgb");
        PilReference.Run(Python, [
            "-c", Script, "center", output,
            width.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture), fraction.ToString(CultureInfo.InvariantCulture),
            .. photos.Select(p => p.Path)]);
        return File.ReadAllBytes(output);
    }

    private static TransformPhotos Create()
    {
        string python = PilReference.RequirePython();
        string? folder = Environment.GetEnvironmentVariable(PhotosVariable);
        if (string.IsNullOrEmpty(folder))
        {
            folder = InstalledPhotos;
        }

        string[] photos = [.. new[] { "astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "rocket.jpg" }
            .Select(p => System.IO.Path.Combine(folder, p)).Where(File.Exists)];
        if (photos.Length == 0)
        {
            throw new AssertInconclusiveException(
                $"No test photographs in {folder}: set ${PhotosVariable} to a folder holding scikit-image's sample photographs (.ci/run extracts them).");
        }

        string jpegs = PilReference.Run(python, ["-c", Script, "jpegs", s_folder.Path, JpegCount.ToString(CultureInfo.InvariantCulture), .. photos]);
        string colors = PilReference.Run(python, ["-c", Script, "colors", s_folder.Path, photos[0]]);
        return new TransformPhotos(python, Parse(jpegs), Parse(colors));
    }

    private static List<Photo> Parse(string listing)
    {
        var list = new List<Photo>();
        foreach (string line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ');
            list.Add(new Photo(parts[0], s_folder.Combine(parts[0]), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
        }

        Assert.IsNotEmpty(list, "The photo script wrote nothing.");
        return list;
    }

    /// <summary>One generated file and its size.</summary>
    public sealed record Photo(string Name, string Path, int Width, int Height)
    {
        /// <summary>Gets the path of PIL's RGB decode (colour variants only).</summary>
        public string ReferencePath => Path + ".rgb";

        public byte[] Read() => File.ReadAllBytes(Path);
    }
}
