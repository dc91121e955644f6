using System.Text.Encodings.Web;
using System.Text.Json;

namespace ShardStore.Images;

/// <summary>
/// Reads and writes the class names that <c>shardpack pack --from imagefolder</c> keeps in a dataset's manifest
/// metadata: key <see cref="ClassesKey"/>, a JSON array of strings whose position is the integer label.
/// </summary>
public static class ImageFolderMetadata
{
    /// <summary>The metadata key of the class names: <c>classes</c>.</summary>
    public const string ClassesKey = "classes";

    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Returns the class names of <paramref name="dataset"/>, where label <c>i</c> is element <c>i</c>.</summary>
    /// <param name="dataset">An open dataset.</param>
    /// <returns>The names, or null when the dataset's metadata has no <see cref="ClassesKey"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="InvalidDataException">The value is not a JSON array of strings.</exception>
    public static IReadOnlyList<string>? GetClassNames(ShardDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return GetClassNames(dataset.Metadata);
    }

    /// <summary>Returns the class names held in <paramref name="metadata"/>, where label <c>i</c> is element <c>i</c>.</summary>
    /// <param name="metadata">A manifest's metadata, as <see cref="ShardDataset.Metadata"/> gives it.</param>
    /// <returns>The names, or null when <paramref name="metadata"/> has no <see cref="ClassesKey"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metadata"/> is null.</exception>
    /// <exception cref="InvalidDataException">The value is not a JSON array of strings.</exception>
    public static IReadOnlyList<string>? GetClassNames(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(ClassesKey, out string? value))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(value);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw NotNames(null);
            }

            var names = new List<string>(document.RootElement.GetArrayLength());
            foreach (JsonElement element in document.RootElement.EnumerateArray())
            {
                names.Add(element.ValueKind == JsonValueKind.String ? element.GetString()! : throw NotNames(null));
            }

            return names;
        }
        catch (JsonException e)
        {
            throw NotNames(e);
        }
    }

    /// <summary>Formats class names as the metadata value: a compact JSON array of strings.</summary>
    /// <param name="names">The names in label order.</param>
    /// <returns>The JSON text, e.g. <c>["cat","dog"]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="names"/> or one of them is null.</exception>
    public static string FormatClassNames(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            writer.WriteStartArray();
            foreach (string name in names)
            {
                ArgumentNullException.ThrowIfNull(name, nameof(names));
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static InvalidDataException NotNames(Exception? inner) =>
        new($"The dataset's metadata key '{ClassesKey}' is not a JSON array of strings (the class names, in label order).", inner);
}
