using System.Globalization;

namespace ShardStore.Runner;

/// <summary>
/// torchvision's pipeline on the same files: <c>ImageFolder</c> + <c>DataLoader</c> with RandomResizedCrop(224),
/// RandomHorizontalFlip, ToTensor, Normalize (ImageNet), then <c>.half()</c> on each batch, for each worker count,
/// as a python3 subprocess (Debian python3-torchvision).
/// </summary>
internal static class TorchvisionBaseline
{
    private const string Script = """
        import sys, time
        import torch
        from torchvision import datasets, transforms
        folder, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        t = transforms.Compose([
            transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
        ds = datasets.ImageFolder(folder, transform=t)
        for w in [int(w) for w in sys.argv[4].split(",")]:
            loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=w, persistent_workers=w > 0)
            best = 0.0
            for e in range(epochs + 1):
                start, n = time.perf_counter(), 0
                for x, y in loader:
                    x = x.half()
                    n += x.shape[0]
                rate = n / (time.perf_counter() - start)
                if e > 0:
                    best = max(best, rate)
            print(f"workers={w} images_per_s={best:.1f}", flush=True)
            del loader
        """;

    /// <summary>Returns images/s for each worker count (the first epoch warms up; the best of the next <paramref name="epochs"/>), or null with the reason.</summary>
    public static Dictionary<int, double>? Run(string python, string folder, int batchSize, int epochs, IReadOnlyList<int> workers, out string? why)
    {
        (int code, string output) = ImageFiles.Run(
            python,
            ["-c", Script, folder, batchSize.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture), string.Join(',', workers)],
            TimeSpan.FromMinutes(60));
        why = null;
        if (code != 0)
        {
            why = $"the torchvision pipeline failed: {output.Trim()}";
            return null;
        }

        var rates = new Dictionary<int, double>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("workers=", StringComparison.Ordinal)))
        {
            string[] parts = line.Split(' ');
            rates[int.Parse(parts[0]["workers=".Length..], CultureInfo.InvariantCulture)] = double.Parse(parts[1]["images_per_s=".Length..], CultureInfo.InvariantCulture);
        }

        return rates;
    }
}
