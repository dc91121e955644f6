namespace ShardStore.S3.Internals;

/// <summary>A response that cannot be used but may be right next time (short or overlong body); always retried.</summary>
internal sealed class S3TransientResponseException : IOException
{
    public S3TransientResponseException(string message)
        : base(message)
    {
    }
}
