using System.Globalization;

namespace ShardStore.Images.Tests.Infrastructure;

/// <summary>
/// Real photographs re-encoded by PIL into JPEG and PNG variants (qualities, subsamplings, progressive, gray, CMYK,
/// RGB/RGBA/gray/palette/16-bit PNG), each with PIL's own decode beside it; generated once per test run into a temp folder.
/// </summary>
/// <remarks>
/// The photographs are those Debian ships with scikit-image (python3-skimage's data folder: astronaut, chelsea,
/// coffee, motorcycle, camera, rocket). <c>$SHARDSTORE_TEST_PHOTOS</c> names a folder holding them (.ci/run extracts
/// them there from the package); else the installed package's folder is used.
/// </remarks>
internal sealed class PilFixtureSet
{
    private const string PhotosVariable = "SHARDSTORE_TEST_PHOTOS";
    private const string InstalledPhotos = "/usr/lib/python3/dist-packages/skimage/data";
    private static readonly string[] s_photos = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "camera.png", "rocket.jpg"];
    private static readonly Lazy<PilFixtureSet> s_shared = new(Create);
    private static readonly TempDirectory s_folder = new();

    private PilFixtureSet(IReadOnlyList<Entry> entries) => Entries = entries;

    /// <summary>Gets every file PIL wrote: encoded images and their reference decodes (names ending in <c>.rgb</c>).</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Returns the shared set, generating it on first use; Inconclusive without PIL or the photographs.</summary>
    public static PilFixtureSet Get() => s_shared.Value;

    /// <summary>Deletes the generated files (tens of megabytes), once the test run is over.</summary>
    public static void DeleteGenerated() => s_folder.Dispose();

    /// <summary>Gets the encoded images whose name ends with <paramref name="suffix"/>.</summary>
    public IEnumerable<Entry> Encoded(string suffix) =>
        Entries.Where(e => !e.Name.EndsWith(".rgb", StringComparison.Ordinal) && e.Name.EndsWith(suffix, StringComparison.Ordinal));

    /// <summary>Gets PIL's decode of <paramref name="image"/> after <c>draft()</c> at 1/<paramref name="scale"/>.</summary>
    public Entry Draft(Entry image, int scale) => Entries.Single(e => e.Name == $"{image.Name}.draft{scale}.rgb");

    private static PilFixtureSet Create()
    {
        string python = PilReference.RequirePython();
        string? folder = Environment.GetEnvironmentVariable(PhotosVariable);
        if (string.IsNullOrEmpty(folder))
        {
            folder = InstalledPhotos;
        }

        string[] photos = [.. s_photos.Select(p => Path.Combine(folder, p)).Where(File.Exists)];
        if (photos.Length == 0)
        {
            throw new AssertInconclusiveException(
                $"No test photographs in {folder}: set ${PhotosVariable} to a folder holding scikit-image's astronaut.png, chelsea.png, " +
                "coffee.png, motorcycle_left.png, camera.png, rocket.jpg (Debian python3-skimage's data folder; .ci/run extracts it).");
        }

        string script = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "pil_fixtures.py");
        string output = PilReference.Run(python, [script, s_folder.Path, .. photos]);
        var entries = new List<Entry>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ');
            entries.Add(new Entry(
                parts[0], s_folder.Combine(parts[0]),
                int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture)));
        }

        Assert.IsNotEmpty(entries, "The fixture script wrote nothing.");
        return new PilFixtureSet(entries);
    }

    /// <summary>One file PIL wrote, with the width and height of the image (or of the reference decode).</summary>
    public sealed record Entry(string Name, string Path, int Width, int Height)
    {
        /// <summary>Gets the path of PIL's full-size decode of this image.</summary>
        public string ReferencePath => Path + ".rgb";
    }
}
