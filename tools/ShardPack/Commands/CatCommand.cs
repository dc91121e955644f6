using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ShardStore.Images.Codecs;

namespace ShardPack.Commands;

/// <summary><c>shardpack cat</c>: prints one sample, every field; or decodes one image field of it to a PPM file.</summary>
internal static class CatCommand
{
    public static Command Create(CommandContext context)
    {
        var source = new DatasetSource();
        var index = new Option<long>("--index") { Description = "Global sample index.", Required = true };
        var json = new Option<bool>("--json") { Description = "Machine-readable output, every value; byte fields as base64." };
        var all = new Option<bool>("--all") { Description = $"Print every value of every field; without it, a field of more than {SummaryThreshold} values shows its first and last {SummaryEdge}." };
        var field = new Option<string?>("--field") { Description = "The field to decode with --decode-to: a u8 field holding an encoded JPEG or PNG image." };
        var decodeTo = new Option<FileInfo?>("--decode-to")
        {
            Description = "Decode the image in --field and write it to this file as binary PPM (P6, RGB, maxval 255), with no transforms; EXIF orientation is ignored.",
        };
        var command = new Command("cat", "Print one sample, every field, or decode one image field to a PPM file.") { index, json, all, field, decodeTo };
        source.AddTo(command);
        command.SetAction(r => context.Guard(() =>
        {
            using ShardDataset ds = source.Open(r);
            long i = r.GetValue(index);
            if (i < 0 || i >= ds.SampleCount)
            {
                throw new UsageException($"--index {i} is outside the dataset's {ds.SampleCount} samples.");
            }

            string? fieldName = r.GetValue(field);
            FileInfo? ppm = r.GetValue(decodeTo);
            if ((fieldName is null) != (ppm is null))
            {
                throw new UsageException("--field and --decode-to go together: --field names the image field, --decode-to the PPM file to write.");
            }

            using SampleLease sample = ds.ReadSample(i);
            if (fieldName is not null && ppm is not null)
            {
                DecodeToPpm(context.Output, ds.Schema, sample, fieldName, ppm);
            }
            else if (r.GetValue(json))
            {
                WriteJson(context.Output, ds.Schema, sample);
            }
            else
            {
                WriteText(context.Output, ds.Schema, sample, r.GetValue(all));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void DecodeToPpm(TextWriter o, Schema schema, SampleLease sample, string fieldName, FileInfo ppm)
    {
        int f = schema.IndexOf(fieldName);
        if (f < 0)
        {
            throw new UsageException($"--field {fieldName}: the dataset has no such field; its fields are {string.Join(", ", Enumerable.Range(0, schema.Count).Select(k => schema[k].Name))}.");
        }

        if (schema[f].DType != DType.U8)
        {
            throw new UsageException($"--field {fieldName} is {DTypeInfo.GetName(schema[f].DType)}; --decode-to needs a u8 field holding encoded JPEG or PNG bytes.");
        }

        ReadOnlySpan<byte> encoded = sample.Get<byte>(f);
        using var decoder = new ImageDecoder();
        ImageInfo info;
        byte[] rgb;
        try
        {
            info = decoder.ReadInfo(encoded);
            rgb = new byte[checked(info.PixelCount * 3)];
            decoder.Decode(encoded, rgb);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"sample {sample.Index} (shard {sample.Shard}, chunk {sample.Chunk}), field '{fieldName}': {e.Message}", e);
        }

        using (FileStream file = ppm.Create())
        {
            file.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P6\n{info.Width} {info.Height}\n255\n")));
            file.Write(rgb);
        }

        o.WriteLine($"sample {sample.Index} (shard {sample.Shard}, chunk {sample.Chunk}) field {fieldName}: {info.Format} {info.Width} x {info.Height} ({info.ColorSpace}), written to {ppm.FullName} as RGB PPM");
    }

    // A sample's value of a field as bytes. A variable field's offsets count elements, so the library views one only
    // with its own element type; the bytes of that view are the value.
    private static ReadOnlySpan<byte> ValueBytes(SampleLease sample, FieldSpec spec, int f) =>
        !spec.IsVariable || spec.ItemSize == 1 ? sample.Get<byte>(f) : spec.DType switch
        {
            DType.I16 => MemoryMarshal.AsBytes(sample.Get<short>(f)),
            DType.U16 or DType.BF16 => MemoryMarshal.AsBytes(sample.Get<ushort>(f)),
            DType.F16 => MemoryMarshal.AsBytes(sample.Get<Half>(f)),
            DType.I32 => MemoryMarshal.AsBytes(sample.Get<int>(f)),
            DType.U32 => MemoryMarshal.AsBytes(sample.Get<uint>(f)),
            DType.F32 => MemoryMarshal.AsBytes(sample.Get<float>(f)),
            DType.I64 => MemoryMarshal.AsBytes(sample.Get<long>(f)),
            DType.U64 => MemoryMarshal.AsBytes(sample.Get<ulong>(f)),
            DType.F64 => MemoryMarshal.AsBytes(sample.Get<double>(f)),
            _ => throw new NotSupportedException($"Field '{spec.Name}' has dtype {DTypeInfo.GetName(spec.DType)}, which cat cannot print."),
        };

    // Text output shows a long field's first and last values, as numpy prints large arrays.
    private const int SummaryThreshold = 20;
    private const int SummaryEdge = 8;
    private const int SummaryBase64Chars = 64;

    private static void WriteText(TextWriter o, Schema schema, SampleLease sample, bool all)
    {
        o.WriteLine($"sample {sample.Index} (shard {sample.Shard}, chunk {sample.Chunk})");
        for (int f = 0; f < schema.Count; f++)
        {
            FieldSpec spec = schema[f];
            ReadOnlySpan<byte> bytes = ValueBytes(sample, spec, f);
            int count = bytes.Length / spec.ItemSize;
            string shape = spec.IsVariable ? $"[{count}]" : "[" + string.Join(", ", spec.Shape) + "]";
            var values = new StringBuilder();
            if (spec.IsVariable && spec.DType == DType.U8)
            {
                string base64 = Convert.ToBase64String(bytes);
                values.Append(all || base64.Length <= 2 * SummaryBase64Chars
                    ? base64 + " (base64)"
                    : $"{base64[..SummaryBase64Chars]}... (base64, {HumanUnits.Count(bytes.Length, "byte")}; --all prints them all)");
            }
            else
            {
                bool summarize = !all && count > SummaryThreshold;
                for (int e = 0; e < count; e++)
                {
                    if (summarize && e == SummaryEdge)
                    {
                        values.Append(" ...");
                        e = count - SummaryEdge;
                    }

                    values.Append(e == 0 ? string.Empty : " ").Append(ElementFormatter.Format(spec.DType, bytes, e));
                }

                if (summarize)
                {
                    values.Append(" (").Append(HumanUnits.Count(count, "value")).Append("; --all prints them all)");
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
                ReadOnlySpan<byte> bytes = ValueBytes(sample, spec, f);
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
