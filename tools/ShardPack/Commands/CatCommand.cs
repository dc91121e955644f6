using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace ShardPack.Commands;

/// <summary><c>shardpack cat</c>: prints one sample, every field.</summary>
internal static class CatCommand
{
    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        var index = new Option<long>("--index") { Description = "Global sample index.", Required = true };
        var json = new Option<bool>("--json") { Description = "Machine-readable output; byte fields as base64." };
        var command = new Command("cat", "Print one sample, every field.") { index, json };
        source.AddTo(command);
        command.SetAction(r => context.Guard(() =>
        {
            using ShardDataset ds = source.Open(r);
            long i = r.GetValue(index);
            if (i < 0 || i >= ds.SampleCount)
            {
                throw new UsageException($"--index {i} is outside the dataset's {ds.SampleCount} samples.");
            }

            using SampleLease sample = ds.ReadSample(i);
            if (r.GetValue(json))
            {
                WriteJson(context.Output, ds.Schema, sample);
            }
            else
            {
                WriteText(context.Output, ds.Schema, sample);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteText(TextWriter o, Schema schema, SampleLease sample)
    {
        o.WriteLine($"sample {sample.Index} (shard {sample.Shard}, chunk {sample.Chunk})");
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            ReadOnlySpan<byte> bytes = sample.Get<byte>(f);
            int count = bytes.Length / spec.ItemSize;
            string shape = spec.IsVariable ? $"[{count}]" : "[" + string.Join(", ", spec.Shape) + "]";
            var values = new StringBuilder();
            if (spec.IsVariable && spec.DType == DType.U8)
            {
                values.Append(Convert.ToBase64String(bytes)).Append(" (base64)");
            }
            else
            {
                for (int e = 0; e < count; e++)
                {
                    values.Append(e == 0 ? string.Empty : " ").Append(ElementFormatter.Format(spec.DType, bytes, e));
                }
            }

            o.WriteLine($"{spec.Name} {DTypeInfo.GetName(spec.DType)}{shape}: {values}");
        }
    }

    private static void WriteJson(TextWriter o, Schema schema, SampleLease sample)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("index", sample.Index);
            w.WriteNumber("shard", sample.Shard);
            w.WriteNumber("chunk", sample.Chunk);
            w.WriteStartObject("fields");
            for (int f = 0; f < schema.Count; f++)
            {
                FieldSpec spec = schema[f];
                ReadOnlySpan<byte> bytes = sample.Get<byte>(f);
                w.WriteStartObject(spec.Name);
                w.WriteString("dtype", DTypeInfo.GetName(spec.DType));
                w.WriteStartArray("shape");
                if (spec.IsVariable)
                {
                    w.WriteNumberValue(bytes.Length / spec.ItemSize);
                }
                else
                {
                    foreach (int d in spec.Shape)
                    {
                        w.WriteNumberValue(d);
                    }
                }

                w.WriteEndArray();
                if (spec.IsVariable && spec.DType == DType.U8)
                {
                    w.WriteBase64String("base64", bytes);
                }
                else
                {
                    w.WriteStartArray("values");
                    for (int e = 0; e < bytes.Length / spec.ItemSize; e++)
                    {
                        ElementFormatter.WriteJson(w, spec.DType, bytes, e);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        o.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
