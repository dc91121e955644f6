using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ShardStore.Compression;
using ShardStore.Images;

namespace ShardPack.Commands;

/// <summary><c>shardpack info</c>: schema, counts, sizes and codec of a dataset.</summary>
internal static class InfoCommand
{
    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        var json = new Option<bool>("--json") { Description = "Machine-readable output." };
        var command = new Command("info", "Show a dataset's schema, samples, shards, chunks, sizes and codec.") { json };
        source.AddTo(command);
        command.SetAction(r => context.Guard(() =>
        {
            using ShardDataset ds = source.Open(r);
            long raw = ds.Shards.Sum(s => s.RawBytes), stored = ds.Shards.Sum(s => s.StoredBytes), files = ds.Shards.Sum(s => s.FileBytes);
            double ratio = stored == 0 ? 1 : (double)raw / stored;
            if (r.GetValue(json))
            {
                WriteJson(context.Output, ds, raw, stored, files, ratio);
                return ExitCodes.Success;
            }

            TextWriter o = context.Output;
            o.WriteLine($"dataset   {ds.Directory}");
            o.WriteLine($"creator   {ds.Creator}");
            o.WriteLine($"identity  {ds.Identity ?? "none (written before identities)"}");
            o.WriteLine($"samples   {ds.SampleCount.ToString("N0", CultureInfo.InvariantCulture)}");
            o.WriteLine($"generation {ds.Generation}");

            o.WriteLine($"shards    {ds.Shards.Count.ToString("N0", CultureInfo.InvariantCulture)}");
            o.WriteLine($"chunks    {ds.ChunkCount.ToString("N0", CultureInfo.InvariantCulture)}");
            o.WriteLine($"codec     {CodecNames.GetName(ds.Codec)}");
            o.WriteLine($"raw       {HumanUnits.Bytes(raw)}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stored    {HumanUnits.Bytes(stored)}, ratio {ratio:F2}x; {HumanUnits.Bytes(files)} on disk"));
            o.WriteLine("generations");
            foreach (DatasetGeneration g in ds.Generations)
            {
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {g.Number,-4} {FormatTime(g.Created),-20}  {HumanUnits.Count(g.ShardCount, "shard")}, {HumanUnits.Count(g.SampleCount, "sample")}, fingerprint {g.Fingerprint}"));
            }

            o.WriteLine("fields");
            foreach (FieldSpec f in ds.Schema.Fields)
            {
                o.WriteLine($"  {f.Name,-20} {DTypeInfo.GetName(f.DType),-5} {(f.IsVariable ? "variable" : "[" + string.Join(", ", f.Shape) + "]")}");
            }

            if (ImageFolderMetadata.GetClassNames(ds) is { } classes)
            {
                // A thousand ImageNet synsets would fill a screen: the first ones say enough; --json has them all.
                const int Shown = 20;
                string more = classes.Count > Shown ? $", ... ({classes.Count - Shown} more)" : string.Empty;
                o.WriteLine($"classes   {classes.Count}: {string.Join(", ", classes.Take(Shown).Select((name, label) => $"{label} {name}"))}{more}");
            }

            foreach (KeyValuePair<string, string> kv in ds.Metadata)
            {
                o.WriteLine($"meta      {kv.Key} = {kv.Value}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static string FormatTime(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "time unknown";

    private static void WriteJson(TextWriter output, ShardDataset ds, long raw, long stored, long files, double ratio)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("directory", ds.Directory);
            w.WriteString("creator", ds.Creator);
            w.WriteString("fingerprint", ds.Fingerprint);
            w.WriteString("identity", ds.Identity);
            w.WriteNumber("samples", ds.SampleCount);
            w.WriteNumber("generation", ds.Generation);
            w.WriteStartArray("generations");
            foreach (DatasetGeneration g in ds.Generations)
            {
                w.WriteStartObject();
                w.WriteNumber("generation", g.Number);
                if (g.Created is { } created)
                {
                    w.WriteString("created", FormatTime(created));
                }
                else
                {
                    w.WriteNull("created");
                }

                w.WriteNumber("shards", g.ShardCount);
                w.WriteNumber("samples", g.SampleCount);
                w.WriteString("fingerprint", g.Fingerprint);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("shards", ds.Shards.Count);
            w.WriteNumber("chunks", ds.ChunkCount);
            w.WriteString("codec", CodecNames.GetName(ds.Codec));
            w.WriteNumber("rawBytes", raw);
            w.WriteNumber("storedBytes", stored);
            w.WriteNumber("fileBytes", files);
            w.WriteNumber("ratio", Math.Round(ratio, 4));
            w.WritePropertyName("fields");
            ds.Schema.WriteFieldsJson(w, writeEveryProperty: true);
            w.WriteStartObject("metadata");
            foreach (KeyValuePair<string, string> kv in ds.Metadata)
            {
                w.WriteString(kv.Key, kv.Value);
            }

            w.WriteEndObject();
            if (ImageFolderMetadata.GetClassNames(ds) is { } classes)
            {
                w.WriteStartArray("classes");
                foreach (string name in classes)
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
