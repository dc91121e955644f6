using System.CommandLine;
using ShardPack.Importers;

namespace ShardPack.Commands;

/// <summary><c>shardpack export DATASET -o OUT --to npy</c>: writes one NAME.npy per fixed-shape field, chunk by chunk.</summary>
internal static class ExportCommand
{
    private const int WriteBufferBytes = 1 << 20;

    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the files into (created if missing).", Required = true };
        var to = new Option<string>("--to") { Description = "Output format: npy (the only one, and the default).", DefaultValueFactory = _ => "npy" };
        var command = new Command("export", "Export a dataset's fixed-shape fields, one NAME.npy per field (shape [samples, ...field shape]).") { output, to };
        source.AddTo(command);
        command.SetAction(r => context.Guard(() =>
        {
            string format = r.GetValue(to)!;
            if (!format.Equals("npy", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--to '{format}': the only export format is npy.");
            }

            using ShardDataset dataset = source.Open(r);
            return ExportNpy(context, dataset, r.GetValue(output)!);
        }));
        return command;
    }

    private static int ExportNpy(CommandContext context, ShardDataset dataset, string outputDirectory)
    {
        var exported = new List<(int Field, string Final, string Temp)>();
        foreach ((FieldSpec f, int i) in dataset.Schema.Fields.Select((f, i) => (f, i)))
        {
            string? why = f.IsVariable ? "it is variable-length"
                : NpyHeader.GetDescr(f.DType) is null ? $"NumPy has no {DTypeInfo.GetName(f.DType)} dtype"
                : f.Name is "." or ".." || f.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || f.Name.Contains('\\', StringComparison.Ordinal) ? "its name is not a file name"
                : null;
            if (why is not null)
            {
                context.Error.WriteLine($"note: skipping field '{f.Name}': {why}.");
                continue;
            }

            string final = Path.Combine(outputDirectory, f.Name + ".npy");
            exported.Add((i, final, $"{final}.{Guid.NewGuid():N}.tmp"));
        }

        if (exported.Count == 0)
        {
            throw new UsageException($"'{dataset.Directory}' has no fixed-shape field NumPy can hold; nothing to export.");
        }

        Directory.CreateDirectory(outputDirectory);
        var streams = new FileStream[exported.Count];
        bool done = false;
        try
        {
            for (int k = 0; k < exported.Count; k++)
            {
                FieldSpec f = dataset.Schema[exported[k].Field];
                streams[k] = new FileStream(exported[k].Temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteBufferBytes);
                streams[k].Write(NpyHeader.Build(NpyHeader.GetDescr(f.DType)!, [dataset.SampleCount, .. f.Shape.Select(d => (long)d)]));
            }

            for (int shard = 0; shard < dataset.Shards.Count; shard++)
            {
                for (int chunk = 0; chunk < dataset.GetChunkCount(shard); chunk++)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    using ChunkLease lease = dataset.ReadChunk(shard, chunk);
                    for (int k = 0; k < exported.Count; k++)
                    {
                        streams[k].Write(lease.GetFixed<byte>(exported[k].Field));
                    }
                }
            }

            foreach (FileStream s in streams)
            {
                s.Dispose();
            }

            foreach ((_, string final, string temp) in exported)
            {
                File.Move(temp, final, overwrite: true);
            }

            done = true;
        }
        finally
        {
            if (!done)
            {
                foreach (FileStream? s in streams)
                {
                    s?.Dispose();
                }

                foreach ((_, _, string temp) in exported)
                {
                    File.Delete(temp);
                }
            }
        }

        context.Output.WriteLine($"exported {dataset.SampleCount} samples of {exported.Count} fields to {outputDirectory}: {string.Join(", ", exported.Select(e => Path.GetFileName(e.Final)))}");
        return ExitCodes.Success;
    }
}
