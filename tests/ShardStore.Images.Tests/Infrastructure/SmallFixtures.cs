namespace ShardStore.Images.Tests.Infrastructure;

/// <summary>The small committed images (a 96 x 72 crop of a photograph) that tests use without PIL.</summary>
internal static class SmallFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Fixtures");

    public static IReadOnlyList<string> Names { get; } =
    [
        "photo_420.jpg", "photo_progressive.jpg", "photo_gray.jpg", "photo_cmyk.jpg",
        "photo_rgb.png", "photo_palette.png", "photo_rgba.png", "photo_gray.png",
    ];

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Folder, name));
}
