namespace ShardStore.Testing.Fuzzing;

/// <summary>
/// One fuzz input: the files it stands for, by name (e.g. a shard and the manifest re-signed to match it), or one
/// unnamed input (<see cref="Of(byte[])"/>) for a target that reads bytes.
/// </summary>
internal sealed record FuzzCase(IReadOnlyDictionary<string, byte[]> Files)
{
    private const string InputName = "input";

    /// <summary>Gets the bytes of a case of one file.</summary>
    public byte[] Bytes => Files.Count == 1 ? Files.Values.Single() : throw new InvalidOperationException($"the case has {Files.Count} files, not one");

    /// <summary>Returns a case of one unnamed input.</summary>
    public static FuzzCase Of(byte[] bytes) => Of(InputName, bytes);

    /// <summary>Returns a case of one named file.</summary>
    public static FuzzCase Of(string name, byte[] bytes) => new(new Dictionary<string, byte[]> { [name] = bytes });

    /// <summary>Reads a kept case: a folder of named files, or one file holding an unnamed input.</summary>
    public static FuzzCase Load(string path) =>
        Directory.Exists(path)
            ? new(Directory.GetFiles(path).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes))
            : Of(File.ReadAllBytes(path));

    /// <summary>Saves the case under <paramref name="folder"/> as <paramref name="name"/>, in the form <see cref="Load"/> reads.</summary>
    /// <returns>The path of the saved file or folder.</returns>
    public string Save(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        if (Files.Count == 1 && Files.TryGetValue(InputName, out byte[]? input))
        {
            string file = Path.Combine(folder, name + ".bin");
            File.WriteAllBytes(file, input);
            return file;
        }

        string caseFolder = Path.Combine(folder, name);
        Directory.CreateDirectory(caseFolder);
        foreach ((string file, byte[] bytes) in Files)
        {
            File.WriteAllBytes(Path.Combine(caseFolder, file), bytes);
        }

        return caseFolder;
    }
}
