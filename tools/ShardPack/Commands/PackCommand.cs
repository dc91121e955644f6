using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ShardPack.Importers;
using ShardStore.Codecs;
using ShardStore.Compression;
using ShardStore.S3;
using Spectre.Console;

namespace ShardPack.Commands;

/// <summary><c>shardpack pack</c>: streams an input through an importer into a new dataset.</summary>
internal static class PackCommand
{
    public static Command Create(CommandContext context)
    {
        var from = new Option<string>("--from") { Description = "Input format: npy, raw, csv, files, ctf, tfrecord, imagefolder.", Required = true };
        var source = new Argument<string?>("input") { Description = "The input file or folder (same as --input; imagefolder: DIR with one subfolder per class).", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "Dataset directory to create, or s3://bucket/prefix to publish to.", Required = true };
        var input = new Option<string?>("--input") { Description = "Input file (raw, csv, ctf, tfrecord), or folder (imagefolder)." };
        var field = new Option<string[]>("--field") { Description = "A field; syntax depends on --from (e.g. NAME=FILE.npy, NAME:DTYPE:SHAPE, NAME:DTYPE:COLUMNS).", AllowMultipleArgumentsPerToken = false };
        var manifest = new Option<string?>("--manifest") { Description = "CSV listing the files (--from files)." };
        var pathColumn = new Option<string?>("--path-column") { Description = "Column of --manifest holding each file's path, relative to the manifest (--from files); the bytes become the variable-length u8 field 'data'." };
        var stream = new Option<string[]>("--stream") { Description = "A CTF stream NAME:DIM[:sparse] (--from ctf)." };
        var feature = new Option<string[]>("--feature") { Description = "Pin a TFRecord feature NAME:DTYPE:SHAPE (--from tfrecord)." };
        Option<string> codec = SharedOptions.Codec();
        var level = new Option<int?>("--level") { Description = "Compression level (codec default when omitted): zstd -131072..22 (default 3), lz4hc 1..12 (default 9), lz4 an acceleration 1..65537 (default 1: higher is faster, larger)." };
        Option<string> chunkSize = SharedOptions.ChunkSize();
        var shardSize = new Option<string>("--shard-size") { Description = "Target shard file size, e.g. 1G.", DefaultValueFactory = _ => "1G" };
        Option<int> threads = SharedOptions.Threads();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but errors." };
        var progress = new Option<double>("--progress-interval") { Description = "When the output is not a terminal, print a progress line to standard error every this many seconds (0: none).", DefaultValueFactory = _ => 5 };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing dataset at --output once the new one is complete." };
        var append = new Option<bool>("--append") { Description = "Add the samples to the existing dataset at --output as a new generation (same schema; local datasets only); readers of older generations are not affected." };
        var images = new ImagePackOptions();
        var identity = new Option<string?>("--identity") { Description = "The dataset's identity, 32 lower-case hex digits (default: random). The same input, options and identity give byte-identical files." };

        var command = new Command("pack", "Pack an input (npy, raw, csv, files, ctf, tfrecord, imagefolder) into a ShardStore dataset.")
        {
            source, from, output, input, field, manifest, pathColumn, stream, feature, codec, level, chunkSize, shardSize, threads, quiet, progress, overwrite, identity, append,
        };
        var limits = new InputLimits();
        foreach (Option option in limits.All.Concat(images.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(r => context.Guard(() =>
        {
            string? inputValue = r.GetValue(input), sourceValue = r.GetValue(source);
            if (inputValue is not null && sourceValue is not null)
            {
                throw new UsageException($"the input is given twice ('{sourceValue}' and --input '{inputValue}'); give one.");
            }

            var arguments = new PackArguments
            {
                From = r.GetValue(from)!,
                Input = inputValue ?? sourceValue,
                Fields = r.GetValue(field) ?? [],
                Manifest = r.GetValue(manifest),
                PathColumn = r.GetValue(pathColumn),
                Streams = r.GetValue(stream) ?? [],
                Features = r.GetValue(feature) ?? [],
                MaxLineBytes = limits.GetMaxLineBytes(r),
                MaxRecordBytes = limits.GetMaxRecordBytes(r),
                AllowOutsidePaths = limits.GetAllowOutsidePaths(r),
                Store = images.GetStore(r),
                MaxSide = images.GetMaxSide(r),
                JpegQuality = images.GetJpegQuality(r),
                ShuffleSeed = images.GetShuffleSeed(r),
                ShuffleRecords = r.GetResult(images.ShuffleSeed) is { Implicit: false },
                NoShuffle = r.GetValue(images.NoShuffle),
                SkipBad = r.GetValue(images.SkipBad),
                StorePaths = r.GetValue(images.StorePaths),
            };
            images.Check(r, arguments.From);
            CheckApplies(arguments.From, ("--field", arguments.Fields.Count > 0, ["csv", "files", "npy", "raw"]), ("--manifest", arguments.Manifest is not null, ["files"]),
                ("--path-column", arguments.PathColumn is not null, ["files"]), ("--stream", arguments.Streams.Count > 0, ["ctf"]), ("--feature", arguments.Features.Count > 0, ["tfrecord"]));
            CodecKind codecKind = SharedOptions.GetCodec(r, codec);
            int threadCount = SharedOptions.GetThreads(r, threads);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source.format"] = arguments.From };
            var options = new DatasetWriterOptions
            {
                Codec = codecKind,
                Codecs = NativeCodecs.Provider,
                Level = CheckLevel(codecKind, r.GetValue(level)),
                ChunkTargetBytes = SharedOptions.GetChunkBytes(r, chunkSize),
                ShardTargetBytes = SharedOptions.ParseSize(r.GetValue(shardSize)!, "--shard-size"),
                Threads = threadCount,
                Overwrite = r.GetValue(overwrite),
                Identity = CheckIdentity(r.GetValue(identity)),
                Metadata = metadata,
            };
            if (r.GetValue(append) && options.Overwrite)
            {
                throw new UsageException("--append adds to the dataset and --overwrite replaces it; give one.");
            }

            double interval = r.GetValue(progress);
            if (!(interval >= 0) || interval > 86400)
            {
                throw new UsageException($"--progress-interval {interval.ToString(CultureInfo.InvariantCulture)}: give seconds from 0 (no progress lines) to 86400.");
            }

            return Pack(context, arguments, r.GetValue(output)!, options, metadata, r.GetValue(quiet), r.GetValue(append), TimeSpan.FromSeconds(interval));
        }));
        return command;
    }

    // An option that the chosen importer does not read would be ignored silently: refuse it, naming who reads it.
    private static void CheckApplies(string from, params (string Option, bool Given, string[] Importers)[] options)
    {
        foreach ((string option, bool given, string[] importers) in options)
        {
            if (given && !importers.Contains(from, StringComparer.OrdinalIgnoreCase))
            {
                throw new UsageException($"{option} applies to {string.Join(" and ", importers.Select(i => "--from " + i))}, not --from {from}.");
            }
        }
    }

    // The writer checks the level too, but its message names an option of the library; this one names the flag, the
    // codec's range and what the level means for it.
    private static int? CheckLevel(CodecKind codec, int? level)
    {
        if (level is not { } value)
        {
            return null;
        }

        if (codec == CodecKind.None || !NativeCodecs.Provider.TryGetCodec(codec, out ChunkCodec? chunkCodec))
        {
            throw new UsageException($"--level {value}: --codec {CodecNames.GetName(codec)} has no levels; leave --level out.");
        }

        if (value < chunkCodec.MinLevel || value > chunkCodec.MaxLevel)
        {
            string meaning = codec == CodecKind.Lz4 ? "acceleration factors (1 compresses most; higher is faster, with larger output)" : "levels (higher compresses more, slower)";
            throw new UsageException(
                $"--level {value}: {CodecNames.GetName(codec)} takes {meaning} from {chunkCodec.MinLevel} to {chunkCodec.MaxLevel}; its default is {chunkCodec.DefaultLevel}.");
        }

        return value;
    }

    private static string? CheckIdentity(string? identity) =>
        identity is null || (identity.Length == 32 && identity.All(char.IsAsciiHexDigitLower) && identity.Any(c => c != '0'))
            ? identity
            : throw new UsageException($"--identity '{identity}' is not 32 lower-case hex digits (not all zero).");

    // The writer reads options.Metadata, which is metadata: the importer's entries are added to it before the writer is created.
    private static int Pack(CommandContext context, PackArguments arguments, string outputDirectory, DatasetWriterOptions options, Dictionary<string, string> metadata, bool quiet, bool append, TimeSpan progressInterval)
    {
        bool remote = S3Location.IsS3Uri(outputDirectory);
        if (remote && append)
        {
            throw new UsageException($"--append works on local datasets only, not on '{outputDirectory}': object storage offers no lock or conditional write here, so two appenders could both publish the next generation and one would lose its shards. Append to a local copy and 'shardpack sync --overwrite' it, or pack anew.");
        }

        if (remote)
        {
            S3Location.Parse(outputDirectory);
        }
        else
        {
            PackTarget.Check(outputDirectory, options.Overwrite || append, arguments, Environment.CurrentDirectory);
        }

        CancellationToken cancellationToken = context.CancellationToken;
        var clock = Stopwatch.StartNew();
        using IImporter importer = ImporterRegistry.Create(arguments);
        CheckSampleSize(importer.Schema, arguments);
        var report = importer as IImporterReport;
        foreach (KeyValuePair<string, string> entry in report?.Metadata ?? new Dictionary<string, string>())
        {
            metadata[entry.Key] = entry.Value;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using S3DatasetPublisher? publisher = remote ? S3DatasetPublisher.Create(outputDirectory, S3Connection.Options) : null;
        long samples;
        using (DatasetWriter writer = publisher is null ? CreateWriter(outputDirectory, importer.Schema, options, append) : DatasetWriter.Create(publisher, importer.Schema, options))
        {
            try
            {
                bool interactive = !quiet && ReferenceEquals(context.Output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
                if (interactive)
                {
                    AnsiConsole.Progress()
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            ProgressTask task = ctx.AddTask($"packing {arguments.From}", maxValue: Math.Max(1, importer.InputBytes));
                            var progress = new PackProgress((samples, bytes) =>
                            {
                                task.Value = Math.Min(bytes, task.MaxValue);
                                task.Description = $"{samples:N0} samples, {samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0}/s";
                            });
                            importer.WriteSamples(writer, progress, cancellationToken);
                            task.Value = task.MaxValue;
                        });
                }
                else if (!quiet && progressInterval > TimeSpan.Zero)
                {
                    // Not a terminal (a job log, a pipe): plain lines on standard error, so standard output keeps only the summary.
                    var lines = new PlainProgress(context.Error, arguments.From, importer.InputBytes, progressInterval, clock);
                    importer.WriteSamples(writer, new PackProgress(lines.Report), cancellationToken);
                }
                else
                {
                    importer.WriteSamples(writer, new PackProgress(), cancellationToken);
                }

                // The last chunks are compressed and flushed before anything is published; a signal here still cancels.
                cancellationToken.ThrowIfCancellationRequested();
                if (publisher is null)
                {
                    writer.Complete();
                }
                else
                {
                    // Waiting for the last uploads can take long: a signal aborts them.
                    writer.Complete(cancellationToken);
                }

                samples = writer.SampleCount;
            }
            catch (InvalidOperationException e) when (e.InnerException is null && IsSampleTooLarge(e))
            {
                throw DataErrors.Create(
                    $"{e.Message.TrimEnd('.')}; a sample must fit one chunk of at most {Array.MaxLength} bytes, so this input cannot be packed.",
                    InputName(arguments),
                    innerException: e);
            }
        }

        clock.Stop();
        if (!quiet && publisher is not null)
        {
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"packed {samples} samples into {publisher.Location}: {seconds:F2} s, {samples / seconds:F0} samples/s"));
        }
        else if (!quiet)
        {
            using ShardDataset dataset = ShardDataset.Open(outputDirectory, new ShardDatasetOptions { Codecs = NativeCodecs.Provider });
            long raw = dataset.Shards.Sum(s => s.RawBytes), stored = dataset.Shards.Sum(s => s.StoredBytes);
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{(append ? $"appended {HumanUnits.Count(samples, "sample")} as generation {dataset.Generation}, now" : "packed")} {HumanUnits.Count(dataset.SampleCount, "sample")} {(append ? "in" : "into")} {dataset.Directory}: {HumanUnits.Count(dataset.Shards.Count, "shard")}, {HumanUnits.Count(dataset.ChunkCount, "chunk")}, {HumanUnits.Bytes(raw)} raw, {HumanUnits.Bytes(stored)} stored ({(stored == 0 ? 1 : (double)raw / stored):F2}x), {seconds:F2} s, {dataset.SampleCount / seconds:F0} samples/s, {raw / seconds / 1e6:F1} MB/s"));
        }

        PrintReport(context, report, quiet);
        return ExitCodes.Success;
    }

    // Notes follow the summary line, indented; warnings go to standard error, even with --quiet.
    private static void PrintReport(CommandContext context, IImporterReport? report, bool quiet)
    {
        if (report is null)
        {
            return;
        }

        foreach (string warning in report.Warnings)
        {
            context.Error.WriteLine($"warning: {warning}.");
        }

        if (!quiet)
        {
            foreach (string note in report.Notes)
            {
                context.Output.WriteLine($"  {note}");
            }
        }
    }

    // The file system's message names the hidden staging directory; say which output it was for.
    private static DatasetWriter CreateWriter(string outputDirectory, Schema schema, DatasetWriterOptions options, bool append)
    {
        try
        {
            return append ? DatasetWriter.Append(outputDirectory, schema, options) : DatasetWriter.Create(outputDirectory, schema, options);
        }
        catch (ArgumentException e) when (append && e.ParamName == "schema")
        {
            // The input does not fit the dataset: bad data, exit 3.
            throw new InvalidDataException(e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException and not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"cannot create the dataset '{outputDirectory}': {e.Message}", e) { HResult = e.HResult };
        }
    }

    // A sample whose fixed-shape fields add up to more than a chunk can hold is refused before anything is written.
    private static void CheckSampleSize(Schema schema, PackArguments arguments)
    {
        long bytes = schema.Fields.Where(f => !f.IsVariable).Sum(f => (long)f.BytesPerSample);
        if (bytes > Array.MaxLength)
        {
            throw DataErrors.Create(
                $"one sample takes {bytes} bytes over its fields ({string.Join(", ", schema.Fields.Where(f => !f.IsVariable).Select(f => $"{f.Name}: {f.BytesPerSample}"))}); a sample must fit one chunk of at most {Array.MaxLength} bytes, so this input cannot be packed; pack the fields into separate datasets.",
                InputName(arguments));
        }
    }

    // The writer's refusal of a sample (or a run of variable-length values) larger than a chunk can hold: bad data, not a defect.
    private static bool IsSampleTooLarge(InvalidOperationException e) =>
        e.Message.Contains("a chunk holds at most", StringComparison.Ordinal) || e.Message.Contains("would exceed", StringComparison.Ordinal);

    private static string InputName(PackArguments arguments) => string.Join(", ", PackTarget.Inputs(arguments).Take(arguments.Manifest is null ? int.MaxValue : 1));
}
