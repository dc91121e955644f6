using System.Collections.Concurrent;
using ShardStore.Storage;

namespace ShardStore.Tests.Infrastructure;

/// <summary>
/// An object store in memory: records the calls that change objects in order, fails a chosen one, and notes the most
/// files the writer's staging directory held whenever an upload began or ended.
/// </summary>
internal sealed class MemoryPublisher : IDatasetPublisher
{
    // Thread-safe collections; _calls and _maxStaged are guarded by _calls.
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];
    private int _maxStaged;

    public string Location => "mem://bucket/ds";

    /// <summary>Gets or sets the call that fails with an IOException, as "upload NAME" or "put manifest.json".</summary>
    public Func<string, bool>? FailWhen { get; set; }

    /// <summary>Gets or sets how long each upload takes.</summary>
    public TimeSpan UploadDelay { get; set; }

    public IReadOnlyDictionary<string, byte[]> Objects => _objects;

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    public int MaxStagedFiles
    {
        get
        {
            lock (_calls)
            {
                return _maxStaged;
            }
        }
    }

    public string GetUri(string name) => $"{Location}/{name}";

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. _objects.Keys.Order(StringComparer.Ordinal)]);

    public Task<byte[]?> TryReadAsync(string name, long maxLength, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.TryGetValue(name, out byte[]? bytes) ? bytes : null);

    public async Task UploadFileAsync(string name, string path, CancellationToken cancellationToken = default)
    {
        string call = $"upload {name}";
        Check(call);
        NoteStaged(path);
        await Task.Delay(UploadDelay, cancellationToken).ConfigureAwait(false);
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        _objects[name] = bytes;
        NoteStaged(path);
        Record(call);
    }

    public Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        string call = $"put {name}";
        Check(call);
        _objects[name] = content.ToArray();
        Record(call);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(name, out _);
        Record($"delete {name}");
        return Task.CompletedTask;
    }

    /// <summary>Writes every object into <paramref name="directory"/>.</summary>
    public void Download(string directory)
    {
        foreach ((string name, byte[] bytes) in _objects)
        {
            File.WriteAllBytes(Path.Combine(directory, name), bytes);
        }
    }

    public void Dispose()
    {
    }

    private void Check(string call)
    {
        if (FailWhen?.Invoke(call) == true)
        {
            throw new IOException($"injected failure: {call}");
        }
    }

    private void Record(string call)
    {
        lock (_calls)
        {
            _calls.Add(call);
        }
    }

    private void NoteStaged(string path)
    {
        int staged = Directory.GetFiles(Path.GetDirectoryName(path)!).Length;
        lock (_calls)
        {
            _maxStaged = Math.Max(_maxStaged, staged);
        }
    }
}
