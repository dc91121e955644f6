namespace ShardStore.Tests.Infrastructure;

/// <summary>One fuzz input: the files it replaces (name to bytes), e.g. a shard and the manifest re-signed to match it.</summary>
internal sealed record FuzzCase(IReadOnlyDictionary<string, byte[]> Files)
{
    public static FuzzCase Of(string name, byte[] bytes) => new(new Dictionary<string, byte[]> { [name] = bytes });

    /// <summary>Reads a case kept as a folder of files.</summary>
    public static FuzzCase Load(string folder) =>
        new(Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes));

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach ((string name, byte[] bytes) in Files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }
    }
}
