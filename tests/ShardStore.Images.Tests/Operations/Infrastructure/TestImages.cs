namespace ShardStore.Images.Tests.Operations.Infrastructure;

/// <summary>Generated RGB u8 test images (interleaved, rows of width x 3 bytes).</summary>
internal static class TestImages
{
    /// <summary>Returns an image of independent uniform bytes: the hardest case for a filter.</summary>
    public static byte[] Noise(int width, int height, int seed)
    {
        byte[] image = new byte[width * height * 3];
        new Random(seed).NextBytes(image);
        return image;
    }

    /// <summary>Returns an image of smooth gradients, edges and some noise, closer to a photograph.</summary>
    public static byte[] Natural(int width, int height, int seed)
    {
        var random = new Random(seed);
        byte[] image = new byte[width * height * 3];
        double phase = random.NextDouble() * 6;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                double u = (double)x / width;
                double v = (double)y / height;
                bool edge = ((x / 17) + (y / 23)) % 2 == 0;
                image[i] = Clamp((255 * u) + random.Next(-8, 9));
                image[i + 1] = Clamp((127 * (1 + Math.Sin((9 * v) + phase))) + random.Next(-8, 9));
                image[i + 2] = Clamp((edge ? 200 : 40) + random.Next(-8, 9));
            }
        }

        return image;
    }

    private static byte Clamp(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);
}
