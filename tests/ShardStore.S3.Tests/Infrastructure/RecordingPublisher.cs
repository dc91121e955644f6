using ShardStore.Storage;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>Passes every call to an inner publisher, records the calls that change objects in order, and fails a chosen one.</summary>
internal sealed class RecordingPublisher(IDatasetPublisher inner) : IDatasetPublisher
{
    // Guarded by _calls itself.
    private readonly List<string> _calls = [];

    /// <summary>Gets or sets the call that fails with an IOException before reaching the inner publisher, as "put manifest.json" or "upload NAME".</summary>
    public Func<string, bool>? FailWhen { get; set; }

    /// <summary>Gets the completed calls, each "upload NAME", "put NAME" or "delete NAME".</summary>
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

    public string Location => inner.Location;

    public string GetUri(string name) => inner.GetUri(name);

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

    public Task<byte[]?> TryReadAsync(string name, long maxLength, CancellationToken cancellationToken = default) => inner.TryReadAsync(name, maxLength, cancellationToken);

    public Task UploadFileAsync(string name, string path, CancellationToken cancellationToken = default) =>
        RecordAsync($"upload {name}", () => inner.UploadFileAsync(name, path, cancellationToken));

    public Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        RecordAsync($"put {name}", () => inner.PutAsync(name, content, cancellationToken));

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        RecordAsync($"delete {name}", () => inner.DeleteAsync(name, cancellationToken));

    public void Dispose() => inner.Dispose();

    private async Task RecordAsync(string call, Func<Task> run)
    {
        if (FailWhen?.Invoke(call) == true)
        {
            throw new IOException($"injected failure: {call}");
        }

        await run().ConfigureAwait(false);
        lock (_calls)
        {
            _calls.Add(call);
        }
    }
}
