namespace ShardStore.S3;

/// <summary>
/// A request to object storage kept failing with timeouts, server errors or broken connections until its retry deadline
/// (<see cref="S3StorageOptions.RetryDeadline"/>) ran out; <see cref="ObjectUri"/> and the byte range say what was being read.
/// </summary>
/// <remarks>The last failure is the <see cref="Exception.InnerException"/>. Retrying later, once the storage answers, may succeed.</remarks>
public sealed class S3DeadlineExceededException : IOException
{
    /// <summary>Initializes an exception without a message.</summary>
    public S3DeadlineExceededException()
    {
    }

    /// <summary>Initializes an exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public S3DeadlineExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes an exception with a message and the last failure.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The last failure.</param>
    public S3DeadlineExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes an exception for an operation on one object.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="objectUri">The object or prefix, <c>s3://bucket/key</c>.</param>
    /// <param name="offset">The first byte of the range being read; <see langword="null"/> for a request that reads no range.</param>
    /// <param name="count">The length of the range being read; <see langword="null"/> for a request that reads no range.</param>
    /// <param name="innerException">The last failure.</param>
    public S3DeadlineExceededException(string message, string objectUri, long? offset, long? count, Exception? innerException)
        : base(message, innerException)
    {
        ObjectUri = objectUri;
        Offset = offset;
        Count = count;
    }

    /// <summary>Gets the object or prefix, <c>s3://bucket/key</c>; <see langword="null"/> when not given.</summary>
    public string? ObjectUri { get; }

    /// <summary>Gets the first byte of the range being read; <see langword="null"/> for a request that reads no range.</summary>
    public long? Offset { get; }

    /// <summary>Gets the length of the range being read; <see langword="null"/> for a request that reads no range.</summary>
    public long? Count { get; }
}
