using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ShardStore.Compression;
using ShardStore.Internals.Integrity;

namespace ShardStore.Format;

/// <summary>Writes manifest.json deterministically and reads it strictly.</summary>
internal static class ManifestSerializer
{
    /// <summary>Manifests larger than this are refused before reading; 10,000 shards take about 3 MB.</summary>
    public const long MaxManifestBytes = 64L << 20;

    /// <summary>The most shards a manifest may list (a few hundred bytes each, so also bounded by <see cref="MaxManifestBytes"/>).</summary>
    public const int MaxShards = 1_000_000;

    /// <summary>The most metadata entries a manifest may hold.</summary>
    public const int MaxMetadataEntries = 65_536;

    /// <summary>The most generations a manifest may list.</summary>
    public const int MaxGenerations = 100_000;

    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = true, SkipValidation = false };

    /// <exception cref="InvalidOperationException">The manifest would break a bound that readers enforce (too many shards or metadata entries, or too many bytes).</exception>
    public static byte[] Serialize(DatasetManifest manifest)
    {
        if (manifest.Shards.Count > MaxShards || manifest.Metadata.Count > MaxMetadataEntries)
        {
            throw new InvalidOperationException(
                $"The dataset would have {manifest.Shards.Count} shards and {manifest.Metadata.Count} metadata entries; readers accept at most {MaxShards} and {MaxMetadataEntries}. Raise ShardTargetBytes or store less metadata.");
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, s_writerOptions))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatConstants.FormatName);
            w.WriteNumber("formatVersion", FormatConstants.Version);
            w.WriteString("creator", manifest.Creator);
            if (!manifest.Identity.IsNone)
            {
                w.WriteString("identity", manifest.Identity.ToString());
            }

            // A first generation is written as before generations existed, so a pack stays byte-identical.
            if (manifest.Generation > 1)
            {
                w.WriteNumber("generation", manifest.Generation);
                WriteCreated(w, manifest.Created);
            }

            w.WriteStartObject("schema");
            w.WriteString("fingerprint", manifest.Schema.Fingerprint.ToString("x16", CultureInfo.InvariantCulture));
            w.WritePropertyName("fields");
            manifest.Schema.WriteFieldsJson(w);
            w.WriteEndObject();
            w.WriteNumber("sampleCount", manifest.SampleCount);
            w.WriteString("codec", CodecNames.GetName(manifest.Codec));
            w.WriteNumber("level", manifest.Level);
            w.WriteNumber("chunkTargetBytes", manifest.ChunkTargetBytes);
            w.WriteNumber("shardTargetBytes", manifest.ShardTargetBytes);
            w.WriteStartArray("shards");
            foreach (ShardInfo s in manifest.Shards)
            {
                w.WriteStartObject();
                w.WriteString("file", s.FileName);
                w.WriteNumber("firstSample", s.FirstSample);
                w.WriteNumber("sampleCount", s.SampleCount);
                w.WriteNumber("chunkCount", s.ChunkCount);
                w.WriteNumber("fileBytes", s.FileBytes);
                w.WriteNumber("rawBytes", s.RawBytes);
                w.WriteNumber("storedBytes", s.StoredBytes);
                w.WriteString("tableCrc32c", s.TableCrc32C.ToString("x8", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (manifest.Generation > 1)
            {
                w.WriteStartArray("generations");
                foreach (DatasetGeneration g in manifest.History)
                {
                    w.WriteStartObject();
                    w.WriteNumber("generation", g.Number);
                    WriteCreated(w, g.Created);
                    w.WriteNumber("shardCount", g.ShardCount);
                    w.WriteNumber("sampleCount", g.SampleCount);
                    w.WriteString("fingerprint", g.Fingerprint);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteStartObject("metadata");
            foreach (KeyValuePair<string, string> kv in manifest.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(kv.Key, kv.Value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        if (stream.Length > MaxManifestBytes)
        {
            throw new InvalidOperationException(
                $"The manifest would be {stream.Length} bytes; readers accept at most {MaxManifestBytes}. Raise ShardTargetBytes or store less metadata.");
        }

        return stream.ToArray();
    }

    /// <summary>Returns the fingerprint of a manifest's bytes: 32 hex digits of their SHA-256 (<see cref="ShardDataset.Fingerprint"/>).</summary>
    public static string Fingerprint(ReadOnlySpan<byte> manifest) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifest), 0, 16);

    private static void WriteCreated(Utf8JsonWriter w, DateTimeOffset? created)
    {
        if (created is { } time)
        {
            w.WriteString("created", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
    }

    /// <exception cref="InvalidDataException">The manifest is not valid JSON or breaks a rule of format v1.</exception>
    public static DatasetManifest Parse(ReadOnlyMemory<byte> utf8, string path)
    {
        var reader = new Reader(path);
        if (!Utf8.IsValid(utf8.Span))
        {
            throw DataErrors.Create("invalid manifest: not valid UTF-8; the dataset is damaged, re-pack it", path, byteOffset: FirstInvalidUtf8(utf8.Span));
        }

        try
        {
            // Parsed in place: the document only refers to the bytes, which no one changes while it is read.
            using JsonDocument doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 });
            return reader.Read(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw DataErrors.Create(
                $"the manifest is not valid JSON ({e.Message}); the dataset is damaged, re-pack it",
                path,
                line: e.LineNumber + 1,
                innerException: e);
        }
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int position = 0;
        while (position < utf8.Length && Rune.DecodeFromUtf8(utf8[position..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            position += consumed;
        }

        return position;
    }

    private sealed class Reader(string path)
    {
        public DatasetManifest Read(JsonElement root)
        {
            Expect(root.ValueKind == JsonValueKind.Object, "the root is not a JSON object");
            string format = GetString(root, "format");
            Expect(format == FormatConstants.FormatName, $"'format' is '{format}', not '{FormatConstants.FormatName}'");
            long version = GetInt64(root, "formatVersion");
            Expect(
                version == FormatConstants.Version,
                version > FormatConstants.Version
                    ? $"format version {version} is newer than this reader understands ({FormatConstants.Version}); upgrade ShardStore"
                    : $"unsupported format version {version}");

            var identity = default(DatasetIdentity);
            if (root.TryGetProperty("identity", out JsonElement identityElement))
            {
                Expect(
                    identityElement.ValueKind == JsonValueKind.String && DatasetIdentity.TryParse(identityElement.GetString(), out identity),
                    "'identity' is not 32 lower-case hex digits (not all zero)");
            }

            Schema schema = ReadSchema(Get(root, "schema", JsonValueKind.Object));
            long sampleCount = GetInt64(root, "sampleCount");
            Expect(sampleCount >= 0, "'sampleCount' is negative");
            string codecName = GetString(root, "codec");
            Expect(CodecNames.TryParse(codecName, out CodecKind codec), $"unknown codec '{codecName}'");
            int level = (int)GetInt64(root, "level", int.MinValue, int.MaxValue);
            int chunkTarget = (int)GetInt64(root, "chunkTargetBytes", 1, int.MaxValue);
            long shardTarget = GetInt64(root, "shardTargetBytes", 1, long.MaxValue);

            var shards = new List<ShardInfo>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            long next = 0;
            JsonElement shardList = Get(root, "shards", JsonValueKind.Array);
            Expect(shardList.GetArrayLength() <= MaxShards, $"it lists {shardList.GetArrayLength()} shards, more than the {MaxShards} a dataset may have");
            foreach (JsonElement s in shardList.EnumerateArray())
            {
                int index = shards.Count;
                Expect(s.ValueKind == JsonValueKind.Object, $"shards[{index}] is not an object");
                string file = GetString(s, "file");
                Expect(
                    IsPortableFileName(file) && file != FormatConstants.ManifestFileName,
                    $"shards[{index}].file '{file}' is not a plain file name of 1 to 255 ASCII letters, digits, '.', '_' or '-'");
                Expect(names.Add(file), $"shards[{index}].file '{file}' is listed twice");
                long first = GetInt64(s, "firstSample");
                Expect(first == next, $"shards[{index}].firstSample is {first}, expected {next}");
                long count = GetInt64(s, "sampleCount", 0, long.MaxValue);
                var info = new ShardInfo(
                    index,
                    file,
                    first,
                    count,
                    (int)GetInt64(s, "chunkCount", 0, int.MaxValue),
                    GetInt64(s, "fileBytes", FormatConstants.MinShardLength, long.MaxValue),
                    GetInt64(s, "rawBytes", 0, long.MaxValue),
                    GetInt64(s, "storedBytes", 0, long.MaxValue),
                    ParseHex32(GetString(s, "tableCrc32c"), index));
                shards.Add(info);
                Expect(count <= long.MaxValue - next, $"shards[{index}].sampleCount {count} makes the total overflow");
                next += count;
            }

            Expect(next == sampleCount, $"the shards hold {next} samples but 'sampleCount' is {sampleCount}");

            var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out JsonElement meta))
            {
                Expect(meta.ValueKind == JsonValueKind.Object, "'metadata' is not an object");
                foreach (JsonProperty p in meta.EnumerateObject())
                {
                    Expect(metadata.Count < MaxMetadataEntries, $"'metadata' has more than {MaxMetadataEntries} entries");
                    Expect(p.Value.ValueKind == JsonValueKind.String, $"metadata '{p.Name}' is not a string");
                    metadata[p.Name] = p.Value.GetString()!;
                }
            }

            int generation = root.TryGetProperty("generation", out JsonElement generationElement)
                ? (int)GetNumber(generationElement, "generation", quote: true, 1, MaxGenerations)
                : 1;
            return new DatasetManifest(GetString(root, "creator"), schema, sampleCount, codec, level, chunkTarget, shardTarget, shards, metadata, identity)
            {
                Generation = generation,
                Created = ReadCreated(root, "created"),
                History = ReadHistory(root, generation, shards, sampleCount),
            };
        }

        // Every earlier generation, numbered 1 to generation - 1, is a prefix of this one's shards.
        private DatasetGeneration[] ReadHistory(JsonElement root, int generation, List<ShardInfo> shards, long sampleCount)
        {
            if (!root.TryGetProperty("generations", out JsonElement list))
            {
                Expect(generation == 1, $"'generation' is {generation} but 'generations' is missing");
                return [];
            }

            Expect(list.ValueKind == JsonValueKind.Array, $"'generations' should be Array, got {list.ValueKind}");
            Expect(list.GetArrayLength() == generation - 1, $"'generations' lists {list.GetArrayLength()} generations; generation {generation} needs the {generation - 1} before it");
            var history = new DatasetGeneration[generation - 1];
            int previousShards = 0;
            int i = 0;
            foreach (JsonElement g in list.EnumerateArray())
            {
                string where = $"generations[{i}]";
                Expect(g.ValueKind == JsonValueKind.Object, $"{where} is not an object");
                long number = GetInt64(g, "generation");
                Expect(number == i + 1, $"{where}.generation is {number}, expected {i + 1}");
                int shardCount = (int)GetInt64(g, "shardCount", previousShards, shards.Count);
                long samples = GetInt64(g, "sampleCount");
                long expected = shardCount == shards.Count ? sampleCount : shards[shardCount].FirstSample;
                Expect(samples == expected, $"{where}.sampleCount is {samples}, but its {shardCount} shards hold {expected}");
                string fingerprint = GetString(g, "fingerprint");
                Expect(
                    fingerprint.Length == 32 && fingerprint.All(char.IsAsciiHexDigitLower),
                    $"{where}.fingerprint '{fingerprint}' is not 32 lower-case hex digits");
                history[i] = new DatasetGeneration(i + 1, ReadCreated(g, where + ".created"), shardCount, samples, fingerprint);
                previousShards = shardCount;
                i++;
            }

            return history;
        }

        private DateTimeOffset? ReadCreated(JsonElement parent, string where)
        {
            if (!parent.TryGetProperty("created", out JsonElement created))
            {
                return null;
            }

            Expect(
                created.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out _),
                $"'{where}' is not a UTC time such as 2026-12-02T10:00:00.000Z");
            return DateTimeOffset.Parse(created.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        }

        private Schema ReadSchema(JsonElement element)
        {
            var fields = new List<FieldSpec>();
            JsonElement fieldList = Get(element, "fields", JsonValueKind.Array);
            Expect(fieldList.GetArrayLength() <= Schema.MaxFields, $"schema.fields has {fieldList.GetArrayLength()} fields, more than {Schema.MaxFields}");
            foreach (JsonElement f in fieldList.EnumerateArray())
            {
                string where = $"schema.fields[{fields.Count}]";
                Expect(f.ValueKind == JsonValueKind.Object, $"{where} is not an object");
                string name = GetString(f, "name");
                string dtypeName = GetString(f, "dtype");
                Expect(DTypeInfo.TryParse(dtypeName, out DType dtype), $"{where}: unknown dtype '{dtypeName}'");
                bool variable = f.TryGetProperty("variable", out JsonElement v) && v.ValueKind == JsonValueKind.True;
                try
                {
                    if (variable)
                    {
                        fields.Add(FieldSpec.Variable(name, dtype));
                    }
                    else
                    {
                        JsonElement shapeList = Get(f, "shape", JsonValueKind.Array);
                        Expect(shapeList.GetArrayLength() <= FieldSpec.MaxRank, $"{where}.shape has {shapeList.GetArrayLength()} dimensions, more than {FieldSpec.MaxRank}");
                        int[] shape = [.. shapeList.EnumerateArray().Select(d => (int)GetNumber(d, where + ".shape", quote: false, 1, int.MaxValue))];
                        fields.Add(FieldSpec.Fixed(name, dtype, shape));
                    }
                }
                catch (ArgumentException e)
                {
                    throw Fail($"{where}: {e.Message}");
                }
            }

            Schema schema;
            try
            {
                schema = new Schema(fields);
            }
            catch (ArgumentException e)
            {
                throw Fail($"schema: {e.Message}");
            }

            string fingerprint = GetString(element, "fingerprint");
            Expect(
                fingerprint == schema.Fingerprint.ToString("x16", CultureInfo.InvariantCulture),
                $"schema.fingerprint {fingerprint} does not match the fields (expected {schema.Fingerprint:x16})");
            return schema;
        }

        private static bool IsPortableFileName(string name) =>
            name.Length is > 0 and <= 255 && name is not "." and not ".."
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

        private JsonElement Get(JsonElement parent, string name, JsonValueKind kind)
        {
            Expect(parent.TryGetProperty(name, out JsonElement value), $"'{name}' is missing");
            Expect(value.ValueKind == kind, $"'{name}' should be {kind}, got {value.ValueKind}");
            return value;
        }

        private string GetString(JsonElement parent, string name) => Get(parent, name, JsonValueKind.String).GetString()!;

        private long GetInt64(JsonElement parent, string name, long min = 0, long max = long.MaxValue) =>
            GetNumber(Get(parent, name, JsonValueKind.Number), name, quote: true, min, max);

        // The value's name goes into a message only when the check fails: quoted for a property, as is for a path.
        private long GetNumber(JsonElement value, string name, bool quote, long min, long max)
        {
            Expect(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), $"{Quoted(name, quote)} is not an integer");
            long result = value.GetInt64();
            Expect(result >= min && result <= max, $"{Quoted(name, quote)} is {result}, outside [{min}, {max}]");
            return result;
        }

        private uint ParseHex32(string text, int shard)
        {
            Expect(
                text.Length == 8 && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _),
                $"shards[{shard}].tableCrc32c '{text}' is not 8 hex digits");
            return uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        private static string Quoted(string name, bool quote) => quote ? $"'{name}'" : name;

        private void Expect(bool condition, string problem)
        {
            if (!condition)
            {
                throw Fail(problem);
            }
        }

        private void Expect(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage problem)
        {
            if (!condition)
            {
                throw Fail(problem.ToStringAndClear());
            }
        }

        private InvalidDataException Fail(string problem) =>
            DataErrors.Create($"invalid manifest: {problem}", path);
    }
}
