namespace ShardPack.Sync;

/// <summary>One file or object opened for positioned reads.</summary>
internal interface ISourceObject : IDisposable
{
    /// <summary>Gets the length when opened.</summary>
    long Length { get; }

    /// <summary>Gets the local path when the object is a local file, so it can be uploaded without a copy; else null.</summary>
    string? LocalPath { get; }

    /// <summary>Reads exactly <c>destination.Length</c> bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="InvalidDataException">The object changed since it was opened, or ended early.</exception>
    ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);
}
