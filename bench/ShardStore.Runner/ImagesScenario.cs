using System.Diagnostics;
using System.Globalization;
using ShardStore.Images.Codecs;
using ShardStore.Images.Operations;
using ShardStore.Images.Transforms;
using ShardStore.Images.Transforms.Internals;
using ShardStore.Transforms;

namespace ShardStore.Runner;

/// <summary>
/// <c>--images</c>: JPEG decode + RandomResizedCrop(224) + flip + normalise to f16 CHW through ShardLoader with
/// <see cref="ImageTransform"/>, against torchvision's ImageFolder + DataLoader at its best worker count on the same
/// files (goal: at least 2x); and decode alone, one thread, ShardStore's ImageDecoder against TurboJPEG's own rate
/// (bench/experiments/tjdecode.c) on the same files at the same sizes (goal: at least 0.9x).
/// </summary>
internal static class ImagesScenario
{
    private const int Side = 224;
    private const double DecodeSeconds = 3;

    public static int Run(ScratchSpace scratch, RunnerOptions options)
    {
        string? python = ImageFiles.FindPython();
        (string[]? photos, string? noPhotos) = ImageFiles.FindPhotos();
        if (python is null || photos is null)
        {
            Console.Error.WriteLine(python is null
                ? "--images needs python3 with PIL to write its JPEG files (Debian python3-pil; set $SHARDSTORE_PYTHON to choose one)."
                : $"--images: {noPhotos}.");
            return 1;
        }

        CancellationToken cancel = scratch.Token;
        string folder = scratch.Reserve("imagefolder");
        int count = options.ImageFiles;
        Console.WriteLine($"Writing {count:N0} JPEGs (about 500 x 375, quality 90, cut from {photos.Length} photographs) into {folder} with {python}");
        var clock = Stopwatch.StartNew();
        ImageFiles.Generate(python, folder, count, photos);
        List<(string Name, int Label)> files = ImageFiles.List(folder);
        byte[][] bytes = [.. files.Select(f => File.ReadAllBytes(Path.Combine(folder, f.Name)))];
        Console.WriteLine($"  {files.Count:N0} files, {bytes.Sum(b => (long)b.Length) / 1e6:F1} MB, in {clock.Elapsed.TotalSeconds:F1} s");
        cancel.ThrowIfCancellationRequested();

        string packed = scratch.Reserve("images-packed");
        Pack(packed, files, bytes, options.ChunkBytes);
        double ours = MeasureLoader(packed, options, cancel);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ShardLoader + ImageTransform (RandomResizedCrop {Side} + flip + normalize, f16 CHW, {options.Threads} workers, Window order, batch {options.BatchSize}): {ours:F0} images/s"));
        scratch.Delete(packed);

        DecodeComparison(scratch, folder, files, bytes);

        string? torchPython = ImageFiles.FindPython("torchvision");
        if (torchPython is null)
        {
            Console.WriteLine("torchvision baseline: SKIPPED, python3-torchvision is missing (apt-get install -y python3-torchvision; or set $SHARDSTORE_PYTHON).");
        }
        else
        {
            int[] workers = [0, 1, 2, 3];
            Console.WriteLine($"torchvision ImageFolder + DataLoader (RandomResizedCrop(224), RandomHorizontalFlip, ToTensor, Normalize, .half()), batch {options.BatchSize}, workers {string.Join(',', workers)}, with {torchPython}:");
            Dictionary<int, double>? rates = TorchvisionBaseline.Run(torchPython, folder, options.BatchSize, options.Epochs, workers, out string? why);
            if (rates is null || rates.Count == 0)
            {
                Console.WriteLine($"  FAILED: {why}");
            }
            else
            {
                foreach ((int w, double rate) in rates)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  workers {w}: {rate:F0} images/s"));
                }

                (int bestWorkers, double best) = rates.MaxBy(r => r.Value);
                double ratio = ours / best;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ours / torchvision (best, {bestWorkers} workers): {ratio:F2}x (goal >= 2x: {(ratio >= 2 ? "met" : "NOT met")})"));
            }
        }

        Console.WriteLine($"Measured in {clock.Elapsed.TotalSeconds:F0} s.");
        return 0;
    }

    /// <summary>Packs the files in a seeded shuffled order (as an ImageFolder importer would), uncompressed: JPEG bytes do not compress.</summary>
    private static void Pack(string directory, List<(string Name, int Label)> files, byte[][] bytes, int chunkBytes)
    {
        int[] order = [.. Enumerable.Range(0, files.Count)];
        new Random(15).Shuffle(order);
        var schema = new Schema(FieldSpec.Bytes("image"), FieldSpec.Fixed("label", DType.I64));
        using DatasetWriter writer = DatasetWriter.Create(directory, schema, new DatasetWriterOptions { ChunkTargetBytes = chunkBytes });
        foreach (int i in order)
        {
            writer.Write<byte>(0, bytes[i]);
            writer.WriteScalar(1, (long)files[i].Label);
            writer.EndSample();
        }

        writer.Complete();
    }

    /// <summary>Streams one warm-up epoch and <see cref="RunnerOptions.Epochs"/> measured ones; returns the best epoch's images/s.</summary>
    private static double MeasureLoader(string directory, RunnerOptions options, CancellationToken cancel)
    {
        using ShardDataset dataset = ShardDataset.Open(directory);
        var transform = new ImageTransform(new ImageTransformOptions
        {
            InputField = "image",
            Image = new ImageAugmenterOptions
            {
                Width = Side,
                Height = Side,
                CropMode = CropMode.RandomResized,
                FlipProbability = 0.5,
                DType = DType.F16,
                Layout = ImageLayout.Chw,
                Mean = ImageTransformOptions.ImageNetMean,
                Std = ImageTransformOptions.ImageNetStd,
            },
        });
        var loaderOptions = new ShardLoaderOptions
        {
            Order = SampleOrder.Window,
            BatchSize = options.BatchSize,
            DecodeWorkers = options.Threads,
            Seed = 1,
            Epochs = options.Epochs + 1,
            Transforms = [transform],
        };
        using ShardLoader loader = ShardLoader.Create(dataset, loaderOptions);
        double best = 0;
        int epoch = -1;
        long images = 0;
        var clock = Stopwatch.StartNew();
        while (loader.NextBatch(cancel) is { } batch)
        {
            using (batch)
            {
                if (batch.Epoch != epoch)
                {
                    best = epoch > 0 ? Math.Max(best, images / clock.Elapsed.TotalSeconds) : best;
                    epoch = batch.Epoch;
                    images = 0;
                    clock.Restart();
                }

                images += batch.Count;
            }
        }

        return epoch > 0 ? Math.Max(best, images / clock.Elapsed.TotalSeconds) : images / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Decode alone on one thread, full size and at the DCT scales the transform picks for its crops, ours against tjdecode.</summary>
    private static void DecodeComparison(ScratchSpace scratch, string folder, List<(string Name, int Label)> files, byte[][] bytes)
    {
        // The scale the transform picks for each file's crop with one fixed key, written for tjdecode as "NAME NUM DENOM".
        using var decoder = new ImageDecoder();
        var augmenter = new ImageAugmenter(new ImageAugmenterOptions { Width = Side, Height = Side, FlipProbability = 0.5 });
        var full = new (int, int)[files.Count];
        var scaled = new (int, int)[files.Count];
        string scales = Path.Combine(scratch.Reserve("tjdecode"), "scales.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(scales)!);
        using (StreamWriter writer = File.CreateText(scales))
        {
            for (int i = 0; i < files.Count; i++)
            {
                ImageInfo info = decoder.ReadInfo(bytes[i]);
                var random = new TransformRandom(1, 0, i, 0);
                ImageAugmentation plan = augmenter.Sample(info.Width, info.Height, ref random);
                (int needWidth, int needHeight) = augmenter.GetMinimumSourceSize(plan);
                int denominator = JpegScale.Denominator(info, needWidth, needHeight);
                scaled[i] = denominator == 1 ? (0, 0) : (JpegScale.Scaled(info.Width, denominator), JpegScale.Scaled(info.Height, denominator));
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files[i].Name} 1 {denominator}"));
            }
        }

        (string? exe, string? noExe) = ImageDecodeBaseline.Build(Path.GetDirectoryName(scales)!);
        foreach ((string what, (int, int)[] minimums, string scaleFile) in new[] { ("full size", full, "-"), ("scaled as the transform picks", scaled, scales) })
        {
            (double oursRate, double oursMp) = ImageDecodeBaseline.Ours(bytes, minimums, DecodeSeconds);
            Console.Write(string.Create(CultureInfo.InvariantCulture, $"Decode alone, 1 thread, {what}: ImageDecoder {oursRate:F0} images/s ({oursMp:F1} MP/s)"));
            if (exe is null)
            {
                Console.WriteLine($"; tjdecode SKIPPED: {noExe}");
                continue;
            }

            (double Rate, double Mp)? tj = ImageDecodeBaseline.Run(exe, folder, scaleFile, DecodeSeconds, out string? why);
            if (tj is not { } t)
            {
                Console.WriteLine($"; tjdecode FAILED: {why}");
                continue;
            }

            double ratio = oursRate / t.Rate;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"; tjdecode {t.Rate:F0} images/s ({t.Mp:F1} MP/s); ratio {ratio:F2}x (goal >= 0.9x: {(ratio >= 0.9 ? "met" : "NOT met")})"));
        }
    }
}
