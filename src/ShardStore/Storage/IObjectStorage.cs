namespace ShardStore.Storage;

/// <summary>
/// The objects under one location of an object store (such as <c>s3://bucket/prefix</c>), as a dataset reads them:
/// an object's length and version, and byte ranges of one version. Implemented by ShardStore.S3 for S3-compatible
/// storage; <see cref="ShardDataset"/> reads a remote dataset through it.
/// </summary>
/// <remarks>
/// Implementations are safe to call from several threads at once and retry transient failures themselves (timeouts,
/// server errors, short responses) up to a deadline of their own. A read never returns bytes of another version than
/// the one asked for.
/// </remarks>
public interface IObjectStorage : IDisposable
{
    /// <summary>Gets the location, as messages name it (for example <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>Returns the full name of an object under the location, as messages name it (for example <c>s3://bucket/prefix/name</c>).</summary>
    /// <param name="name">The object's name relative to the location, such as <c>manifest.json</c>.</param>
    /// <returns>The object's URI.</returns>
    string GetUri(string name);

    /// <summary>Looks up an object's current length and version.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The object's length and version tag.</returns>
    /// <exception cref="FileNotFoundException">The object does not exist.</exception>
    /// <exception cref="IOException">The storage did not answer before the implementation's deadline; the message names the object.</exception>
    Task<ObjectVersion> GetVersionAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads exactly <c>destination.Length</c> bytes of one version of an object, from <paramref name="offset"/> on.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="version">The version to read, from <see cref="GetVersionAsync"/>.</param>
    /// <param name="offset">The first byte to read.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when every byte was read.</returns>
    /// <exception cref="InvalidDataException">The object was replaced or deleted since <paramref name="version"/>; the message names it and the range.</exception>
    /// <exception cref="IOException">The storage did not answer before the implementation's deadline; the message names the object and the range.</exception>
    ValueTask ReadAsync(string name, ObjectVersion version, long offset, Memory<byte> destination, CancellationToken cancellationToken = default);
}
