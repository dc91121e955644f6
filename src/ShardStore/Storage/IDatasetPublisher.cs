namespace ShardStore.Storage;

/// <summary>
/// The objects under one location of an object store (such as <c>s3://bucket/prefix</c>), as a writer publishes a dataset
/// there: list them, read a small one whole, upload a local file, put a small one, delete one. Implemented by ShardStore.S3
/// for S3-compatible storage; <see cref="DatasetWriter.Create(IDatasetPublisher, Schema, DatasetWriterOptions?)"/> writes
/// through it.
/// </summary>
/// <remarks>
/// <para>Each call is safe to make from several threads at once and retries transient failures itself up to a deadline of
/// its own. Failures surface as <see cref="IOException"/> (or a subclass) naming the object.</para>
/// <para>Object stores have no atomic rename: an object appears whole when its upload completes, and <see cref="UploadFileAsync"/>
/// must never leave a partial object or an unfinished upload behind when it fails or is cancelled.</para>
/// </remarks>
public interface IDatasetPublisher : IDisposable
{
    /// <summary>Gets the location, as messages name it (for example <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>Returns the full name of an object under the location, as messages name it (for example <c>s3://bucket/prefix/name</c>).</summary>
    /// <param name="name">The object's name relative to the location, such as <c>manifest.json</c>.</param>
    /// <returns>The object's URI.</returns>
    string GetUri(string name);

    /// <summary>Lists the names, relative to the location, of every object under it.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The names in key order.</returns>
    /// <exception cref="IOException">The storage refused the request or did not answer before the implementation's deadline.</exception>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a small object whole, such as a manifest.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="maxLength">The largest object accepted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The object's bytes, or <see langword="null"/> when it does not exist.</returns>
    /// <exception cref="InvalidDataException">The object is larger than <paramref name="maxLength"/>.</exception>
    /// <exception cref="IOException">The storage refused the request or did not answer before the implementation's deadline.</exception>
    Task<byte[]?> TryReadAsync(string name, long maxLength, CancellationToken cancellationToken = default);

    /// <summary>Uploads a local file as one object (in parts, several at once, where the storage allows), replacing any object of that name once complete.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="path">The local file; it must not change during the upload.</param>
    /// <param name="cancellationToken">Cancels the upload; an unfinished upload is aborted before the task ends.</param>
    /// <returns>A task that completes when the object is in place.</returns>
    /// <exception cref="IOException">Reading the file failed, or the storage refused or did not answer; nothing of the upload is left.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing of the upload is left.</exception>
    Task UploadFileAsync(string name, string path, CancellationToken cancellationToken = default);

    /// <summary>Puts a small object in one request, replacing any object of that name.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the object is in place.</returns>
    /// <exception cref="IOException">The storage refused the request or did not answer before the implementation's deadline.</exception>
    Task PutAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; nothing happens when it does not exist.</summary>
    /// <param name="name">The object's name relative to the location.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the object is gone.</returns>
    /// <exception cref="IOException">The storage refused the request or did not answer before the implementation's deadline.</exception>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);
}
