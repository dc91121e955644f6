namespace ShardPack;

/// <summary>Process exit codes of shardpack, and of the benchmark runner, which compiles this file; the README lists them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The environment failed: an I/O error, a full disk, no permission, a native library missing, out of memory.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown option or value, a file or directory named on it that does not exist, an output that would overwrite an input.</summary>
    public const int InvalidArguments = 2;

    /// <summary>
    /// The data is bad: an input or dataset is malformed or corrupt, or cannot be packed (a sample too large for a chunk);
    /// or an <c>s3://</c> dataset location is malformed, not there, or refused by the storage.
    /// </summary>
    public const int BadData = 3;

    /// <summary>A defect in shardpack itself (EX_SOFTWARE of sysexits.h); the message asks for a report.</summary>
    public const int InternalError = 70;

    /// <summary>Stopped by SIGINT (128 + 2), after cleaning up.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (128 + 15), after cleaning up.</summary>
    public const int Terminated = 143;
}
