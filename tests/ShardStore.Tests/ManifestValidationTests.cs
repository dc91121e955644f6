using System.Text;
using System.Text.Json.Nodes;
using ShardStore.Compression;
using ShardStore.Format;
using ShardStore.Tests.Infrastructure;

namespace ShardStore.Tests;

/// <summary>
/// manifest.json that is invalid on its own (the error names manifest.json) or that disagrees with the shards
/// (the error names the shard file). Every case ends in exactly <see cref="InvalidDataException"/>.
/// </summary>
[TestClass]
public sealed class ManifestValidationTests
{
    private const int Samples = 300;
    private const string Manifest = "manifest.json";

    // -------- 8. Manifest disagreeing with the shards --------

    [TestMethod]
    public void Open_ManifestShardSampleCountDiffers_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);

        // One sample more in shard 0, with later shards and the total shifted so the manifest stays self-consistent.
        ShardCorruptor.RewriteManifest(path, m => m with
        {
            SampleCount = m.SampleCount + 1,
            Shards = [.. m.Shards.Select(s => s.Index == 0 ? s with { SampleCount = s.SampleCount + 1 } : s with { FirstSample = s.FirstSample + 1 })],
        });

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("disagrees with the manifest", e.Message);
    }

    [TestMethod]
    [DataRow(4096L)]
    [DataRow(-1L)]
    [DataRow(1L << 40)]
    public void Open_ManifestFileBytesDiffers_ThrowsNamingShard(long delta)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 1, s => s with { FileBytes = s.FileBytes + delta }));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("the manifest says", e.Message);
    }

    [TestMethod]
    public void Open_ManifestTableCrcDiffers_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 2, s => s with { TableCrc32C = s.TableCrc32C ^ 0x8000_0000 }));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(2), 2);
        Assert.Contains("chunk table CRC32C", e.Message);
    }

    [TestMethod]
    [DataRow("chunkCount")]
    [DataRow("rawBytes")]
    [DataRow("storedBytes")]
    public void Open_ManifestShardTotalDiffers_ThrowsNamingShard(string property)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteManifest(path, m => ShardCorruptor.WithShard(m, 1, s => property switch
        {
            "chunkCount" => s with { ChunkCount = s.ChunkCount + 1 },
            "rawBytes" => s with { RawBytes = s.RawBytes + 1 },
            _ => s with { StoredBytes = s.StoredBytes - 1 },
        }));

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 1);
        Assert.Contains("disagrees with the manifest", e.Message);
        Assert.MatchesRegex(
            property == "chunkCount" ? @"the file has \d+ chunks, the manifest says \d+" : @"the chunks hold \d+ raw / \d+ stored bytes, the manifest says \d+ / \d+",
            e.Message,
            "the message names both values");
    }

    [TestMethod]
    [DataRow("field renamed")]
    [DataRow("dtype changed")]
    [DataRow("shape transposed")]
    [DataRow("fields reordered")]
    [DataRow("field added")]
    public void Open_ManifestSchemaDiffersFromShards_ThrowsNamingShard(string change)
    {
        // The manifest is rewritten by the serializer, so its fingerprint matches its (wrong) fields.
        using var dir = new TempDirectory();
        string path = Write(dir);
        FieldSpec[] fields = [.. TestData.MixedSchema.Fields];
        switch (change)
        {
            case "field renamed":
                fields[2] = FieldSpec.Variable("ids", DType.I32);
                break;
            case "dtype changed":
                fields[0] = FieldSpec.Fixed("x", DType.I32, 4, 3);
                break;
            case "shape transposed":
                fields[0] = FieldSpec.Fixed("x", DType.F32, 3, 4);
                break;
            case "fields reordered":
                (fields[0], fields[1]) = (fields[1], fields[0]);
                break;
            default:
                fields = [.. fields, FieldSpec.Fixed("extra", DType.U8)];
                break;
        }

        ShardCorruptor.RewriteManifest(path, m => m with { Schema = new Schema(fields) });

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(0), 0);
        Assert.Contains("schema fingerprint", e.Message);
    }

    [TestMethod]
    public void Open_ManifestShardFilesSwapped_ThrowsNamingShard()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.RewriteManifest(path, m =>
        {
            ShardInfo a = m.Shards[0], b = m.Shards[1];
            return ShardCorruptor.WithShard(ShardCorruptor.WithShard(m, 0, s => s with { FileName = b.FileName }), 1, s => s with { FileName = a.FileName });
        });

        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, ShardCorruptor.ShardFileName(1), 0);
    }

    // -------- 9. Manifest invalid on its own --------

    [TestMethod]
    public void Open_ManifestMissing_ThrowsSayingNoManifest()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        File.Delete(ShardCorruptor.ManifestPath(path));

        InvalidDataException e = AssertManifestError(path, "no manifest");
        Assert.IsInstanceOfType<FileNotFoundException>(e.InnerException);
    }

    [TestMethod]
    public void Open_EmptyDirectory_ThrowsSayingNoManifest()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("empty");
        Directory.CreateDirectory(path);

        AssertManifestError(path, "no manifest");
    }

    [TestMethod]
    [DataRow("this is not JSON")]
    [DataRow("")]
    [DataRow("{\"format\": \"shardstore\",}")]
    [DataRow("{'format': 'shardstore'}")]
    public void Open_ManifestNotJson_Throws(string text)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.WriteManifestText(path, text);

        AssertManifestError(path, "not valid JSON");
    }

    [TestMethod]
    [DataRow("half")]
    [DataRow("all but the closing brace")]
    [DataRow("inside a string")]
    public void Open_ManifestTruncatedJson_Throws(string cut)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        string text = File.ReadAllText(ShardCorruptor.ManifestPath(path)).TrimEnd();
        int length = cut switch
        {
            "half" => text.Length / 2,
            "all but the closing brace" => text.Length - 1,
            _ => text.IndexOf("shard-0000", StringComparison.Ordinal) + 4,
        };
        ShardCorruptor.WriteManifestText(path, text[..length]);

        AssertManifestError(path, "not valid JSON");
    }

    [TestMethod]
    [DataRow("[]")]
    [DataRow("42")]
    [DataRow("null")]
    [DataRow("\"manifest\"")]
    public void Open_ManifestRootNotObject_Throws(string text)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.WriteManifestText(path, text);

        AssertManifestError(path, "not a JSON object");
    }

    [TestMethod]
    [DataRow("ShardStore")]
    [DataRow("tokens")]
    [DataRow("shard-00001")]
    [DataRow("hello")]
    [DataRow("note")]
    public void Open_ManifestStringNotUtf8_Throws(string marker)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["metadata"] = new JsonObject { ["note"] = "hello" });
        byte[] bytes = File.ReadAllBytes(ShardCorruptor.ManifestPath(path));
        int at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker));
        Assert.IsGreaterThanOrEqualTo(0, at, "marker found");
        bytes[at] = 0xFF;
        File.WriteAllBytes(ShardCorruptor.ManifestPath(path), bytes);

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    public void Open_ManifestNestedTooDeeply_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["extra"] = JsonNode.Parse(new string('[', 40) + new string(']', 40)));

        AssertManifestError(path, "not valid JSON");
    }

    [TestMethod]
    [DataRow("format")]
    [DataRow("formatVersion")]
    [DataRow("creator")]
    [DataRow("schema")]
    [DataRow("schema/fingerprint")]
    [DataRow("schema/fields")]
    [DataRow("schema/fields/0/name")]
    [DataRow("schema/fields/0/dtype")]
    [DataRow("schema/fields/0/shape")]
    [DataRow("sampleCount")]
    [DataRow("codec")]
    [DataRow("level")]
    [DataRow("chunkTargetBytes")]
    [DataRow("shardTargetBytes")]
    [DataRow("shards")]
    [DataRow("shards/1/file")]
    [DataRow("shards/1/firstSample")]
    [DataRow("shards/1/sampleCount")]
    [DataRow("shards/1/chunkCount")]
    [DataRow("shards/1/fileBytes")]
    [DataRow("shards/1/rawBytes")]
    [DataRow("shards/1/storedBytes")]
    [DataRow("shards/1/tableCrc32c")]
    public void Open_ManifestMissingRequiredProperty_Throws(string property)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Remove(root, property));

        AssertManifestError(path, $"'{property.Split('/')[^1]}' is missing");
    }

    [TestMethod]
    [DataRow("formatVersion", "\"1\"")]
    [DataRow("formatVersion", "1.5")]
    [DataRow("sampleCount", "\"300\"")]
    [DataRow("sampleCount", "3e2")]
    [DataRow("sampleCount", "null")]
    [DataRow("level", "true")]
    [DataRow("schema", "[]")]
    [DataRow("schema/fields", "{}")]
    [DataRow("schema/fields/0", "\"x\"")]
    [DataRow("schema/fields/0/shape", "\"4x3\"")]
    [DataRow("schema/fields/0/shape", "[4, 3.5]")]
    [DataRow("schema/fingerprint", "12345")]
    [DataRow("shards", "{}")]
    [DataRow("shards/0", "\"shard-00000.shard\"")]
    [DataRow("shards/0/file", "7")]
    [DataRow("shards/0/fileBytes", "\"big\"")]
    [DataRow("shards/0/sampleCount", "99999999999999999999999")]
    [DataRow("shards/0/tableCrc32c", "305419896")]
    [DataRow("metadata", "[]")]
    [DataRow("metadata/key", "1")]
    [DataRow("codec", "1")]
    public void Open_ManifestPropertyWrongType_Throws(string property, string json)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Set(root, property, json));

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    [DataRow("sampleCount")]
    [DataRow("chunkTargetBytes")]
    [DataRow("shardTargetBytes")]
    [DataRow("shards/0/firstSample")]
    [DataRow("shards/2/sampleCount")]
    [DataRow("shards/1/chunkCount")]
    [DataRow("shards/1/fileBytes")]
    [DataRow("shards/1/rawBytes")]
    [DataRow("shards/1/storedBytes")]
    [DataRow("schema/fields/0/shape/0")]
    public void Open_ManifestNegativeCount_Throws(string property)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Set(root, property, "-5"));

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    public void Open_ManifestShardSampleCountsOverflow_Throws()
    {
        // Shard 0 claims long.MaxValue samples and shard 1 starts right after it: the running total overflows.
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root =>
        {
            Set(root, "shards/0/sampleCount", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Set(root, "shards/1/firstSample", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    public void Open_ManifestShardFileBytesBelowSmallestShard_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Set(root, "shards/0/fileBytes", "100"));

        AssertManifestError(path, "'fileBytes' is 100");
    }

    [TestMethod]
    [DataRow("sub/shard-00000.shard")]
    [DataRow("../shard-00000.shard")]
    [DataRow("/etc/passwd")]
    [DataRow("..")]
    [DataRow(".")]
    [DataRow("")]
    [DataRow("manifest.json")]
    public void Open_ManifestShardFileNotPlainName_Throws(string name)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["shards"]![0]!["file"] = name);

        AssertManifestError(path, "is not a plain file name");
    }

    [TestMethod]
    [DataRow("shard\u0000.shard")]
    [DataRow("a300")]
    public void Open_ManifestShardFileNameUnusable_Throws(string name)
    {
        // Names no file system accepts: a NUL character, or a name longer than 255 bytes.
        using var dir = new TempDirectory();
        string path = Write(dir);
        if (name == "a300")
        {
            name = new string('a', 300);
        }

        ShardCorruptor.EditManifestJson(path, root => root["shards"]![0]!["file"] = name);

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    public void Open_ManifestIsDirectory_ThrowsNamingManifest()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        File.Delete(ShardCorruptor.ManifestPath(path));
        Directory.CreateDirectory(ShardCorruptor.ManifestPath(path));

        AssertManifestError(path, expected: null);
    }

    [TestMethod]
    public void Open_ManifestDuplicateShardName_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["shards"]![1]!["file"] = root["shards"]![0]!["file"]!.GetValue<string>());

        AssertManifestError(path, "is listed twice");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(-1)]
    public void Open_ManifestFirstSampleGap_Throws(int shift)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["shards"]![1]!["firstSample"] = root["shards"]![1]!["firstSample"]!.GetValue<long>() + shift);

        AssertManifestError(path, "shards[1].firstSample");
    }

    [TestMethod]
    public void Open_ManifestTotalSampleCountDiffers_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["sampleCount"] = Samples + 1);

        AssertManifestError(path, "but 'sampleCount' is");
    }

    [TestMethod]
    public void Open_ManifestUnknownCodec_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["codec"] = "brotli");

        AssertManifestError(path, "unknown codec 'brotli'");
    }

    [TestMethod]
    public void Open_ManifestUnknownDtype_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["schema"]!["fields"]![1]!["dtype"] = "f128");

        AssertManifestError(path, "unknown dtype 'f128'");
    }

    [TestMethod]
    public void Open_ManifestNewerFormatVersion_ThrowsSayingNewer()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["formatVersion"] = 2);

        AssertManifestError(path, "format version 2 is newer than this reader");
    }

    [TestMethod]
    public void Open_ManifestFormatVersionZero_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["formatVersion"] = 0);

        AssertManifestError(path, "unsupported format version 0");
    }

    [TestMethod]
    public void Open_ManifestWrongFormatName_Throws()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["format"] = "tfrecord");

        AssertManifestError(path, "'format' is 'tfrecord'");
    }

    [TestMethod]
    [DataRow("fingerprint changed")]
    [DataRow("field renamed")]
    [DataRow("shape changed")]
    [DataRow("fingerprint upper case")]
    public void Open_ManifestSchemaFingerprintMismatch_Throws(string change)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root =>
        {
            JsonNode schema = root["schema"]!;
            switch (change)
            {
                case "fingerprint changed":
                    schema["fingerprint"] = "0123456789abcdef";
                    break;
                case "field renamed":
                    schema["fields"]![2]!["name"] = "ids";
                    break;
                case "shape changed":
                    schema["fields"]![0]!["shape"] = new JsonArray(3, 4);
                    break;
                default:
                    schema["fingerprint"] = schema["fingerprint"]!.GetValue<string>().ToUpperInvariant();
                    break;
            }
        });

        AssertManifestError(path, "schema.fingerprint");
    }

    [TestMethod]
    [DataRow("schema/fields", "[]")]
    [DataRow("schema/fields/1/name", "\"x\"")]
    [DataRow("schema/fields/1/name", "\"\"")]
    [DataRow("schema/fields/0/shape", "[4, 0]")]
    [DataRow("schema/fields/0/shape", "[1, 1, 1, 1, 1, 1, 1, 1, 1]")]
    [DataRow("schema/fields/0/shape", "[65536, 65536]")]
    [DataRow("schema/fields/0/shape", "[4294967296]")]
    public void Open_ManifestInvalidSchema_Throws(string property, string json)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Set(root, property, json));

        AssertManifestError(path, "invalid manifest");
    }

    [TestMethod]
    [DataRow("xyz")]
    [DataRow("1234567")]
    [DataRow("123456789")]
    [DataRow("0x123456")]
    [DataRow("-1234567")]
    public void Open_ManifestTableCrcNotHex_Throws(string text)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => root["shards"]![0]!["tableCrc32c"] = text);

        AssertManifestError(path, $"shards[0].tableCrc32c '{text}' is not 8 hex digits");
    }

    // The messages of passing checks are never formatted; these make sure the failing ones still name the place.
    [TestMethod]
    [DataRow("shards/0/chunkCount", "-1", "'chunkCount' is -1, outside [0, 2147483647]")]
    [DataRow("formatVersion", "1.5", "'formatVersion' is not an integer")]
    [DataRow("schema/fields/0/shape", "[4, 0]", "schema.fields[0].shape is 0, outside [1, 2147483647]")]
    [DataRow("shards/1/firstSample", "3", "shards[1].firstSample is 3, expected")]
    [DataRow("codec", "\"lz5\"", "unknown codec 'lz5'")]
    [DataRow("shards/0/file", "\"a/b\"", "shards[0].file 'a/b' is not a plain file name")]
    public void Open_ManifestCheckFails_MessageNamesTheValueAndPlace(string property, string json, string expected)
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        ShardCorruptor.EditManifestJson(path, root => Set(root, property, json));

        AssertManifestError(path, expected);
    }

    [TestMethod]
    public void Open_ManifestTooLarge_ThrowsBeforeReading()
    {
        using var dir = new TempDirectory();
        string path = Write(dir);
        using (var stream = new FileStream(ShardCorruptor.ManifestPath(path), FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(ManifestSerializer.MaxManifestBytes + 1); // sparse: costs no disk
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertManifestError(path, "more than the");
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before, "bytes allocated");
    }

    [TestMethod]
    [DataRow(21)]
    [DataRow(22)]
    public void Open_ManifestRandomByteChanges_ThrowInvalidDataOrReadExactSamples(int seed)
    {
        // One byte of manifest.json replaced per iteration. Allowed outcomes: InvalidDataException naming
        // manifest.json or a shard file, or a dataset whose every sample reads back exactly.
        using var dir = new TempDirectory();
        string path = Write(dir);
        byte[] pristine = File.ReadAllBytes(ShardCorruptor.ManifestPath(path));
        // ASCII only: bytes that make the UTF-8 invalid have their own test (Open_ManifestStringNotUtf8_Throws).
        byte[] alphabet = "0123456789abcdefx-+.eE\"{}[],: \\/"u8.ToArray();
        var random = new Random(seed);
        int rejected = 0, accepted = 0;
        for (int iteration = 0; iteration < 150; iteration++)
        {
            byte[] bytes = (byte[])pristine.Clone();
            int at = random.Next(bytes.Length);
            byte value = random.Next(4) == 0 ? (byte)random.Next(128) : alphabet[random.Next(alphabet.Length)];
            if (bytes[at] == value)
            {
                continue;
            }

            bytes[at] = value;
            File.WriteAllBytes(ShardCorruptor.ManifestPath(path), bytes);
            string what = $"iteration {iteration}: byte {at} '{(char)pristine[at]}' -> 0x{value:X2}";
            try
            {
                using ShardDataset ds = ShardDataset.Open(path, TestData.ReadOptions());
                Assert.AreEqual(Samples, ds.SampleCount, what);
                for (long i = 0; i < ds.SampleCount; i++)
                {
                    using SampleLease s = ds.ReadSample(i);
                    TestData.AssertMixedSample(s, i);
                }

                accepted++;
            }
            catch (InvalidDataException e)
            {
                // The file is manifest.json or a shard file as the (damaged) manifest names it.
                Assert.IsInstanceOfType<string>(e.Data[DataErrors.FileKey], what);
                string file = (string)e.Data[DataErrors.FileKey]!;
                Assert.AreEqual(path, Path.GetDirectoryName(file), what);
                Assert.Contains(file, e.Message, what);
                rejected++;
            }
            catch (Exception e) when (e is not AssertFailedException)
            {
                Assert.Fail($"{what}: {e.GetType()}: {e.Message}");
            }
        }

        Assert.IsGreaterThan(50, rejected);
        Assert.IsGreaterThan(0, accepted);
    }

    // -------- Helpers --------

    private static string Write(TempDirectory dir)
    {
        string path = dir.Combine("ds");
        TestData.WriteMixed(path, Samples, TestData.Options(CodecKind.None, chunkBytes: 1024, shardBytes: 32 << 10));
        Assert.IsGreaterThan(2, ShardCorruptor.ReadManifest(path).Shards.Count, "the tests need at least three shards");
        return path;
    }

    private static InvalidDataException AssertManifestError(string path, string? expected)
    {
        InvalidDataException e = Assert.ThrowsExactly<InvalidDataException>(() => ShardDataset.Open(path, TestData.ReadOptions()));
        ShardCorruptor.AssertLocated(e, Manifest);
        if (expected is not null)
        {
            Assert.Contains(expected, e.Message);
        }

        Assert.IsFalse(e.Data.Contains(DataErrors.ShardKey), "a manifest error names no shard");
        return e;
    }

    private static (JsonNode Parent, string Key) Navigate(JsonObject root, string path)
    {
        string[] parts = path.Split('/');
        JsonNode node = root;
        foreach (string part in parts[..^1])
        {
            node = (int.TryParse(part, out int index) ? node[index] : node[part]) ?? throw new InvalidOperationException($"Test setup: no '{path}'.");
        }

        return (node, parts[^1]);
    }

    private static void Set(JsonObject root, string path, string json)
    {
        (JsonNode parent, string key) = Navigate(root, path);
        JsonNode? value = JsonNode.Parse(json);
        if (parent is JsonArray array)
        {
            array[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent[key] = value;
        }
    }

    private static void Remove(JsonObject root, string path)
    {
        (JsonNode parent, string key) = Navigate(root, path);
        if (!parent.AsObject().Remove(key))
        {
            throw new InvalidOperationException($"Test setup: no '{path}'.");
        }
    }
}
