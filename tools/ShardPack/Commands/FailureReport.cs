using System.Net;
using Amazon.Runtime;
using ShardStore.S3;

namespace ShardPack.Commands;

/// <summary>Maps what a command threw to an exit code and a one-line message; the message of an unexpected failure asks for a report.</summary>
internal static class FailureReport
{
    // ENOSPC on Linux and macOS (the errno is the HResult of the IOException); ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL on Windows.
    private const int NoSpaceErrno = 28;
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    /// <summary>Gets whether <paramref name="failure"/> is (or wraps only) a cancellation.</summary>
    public static bool IsCancellation(Exception failure) => Unwrap(failure) is OperationCanceledException;

    /// <summary>Returns the exit code and the one-line message for <paramref name="failure"/>.</summary>
    public static (int Code, string Message) Describe(Exception failure)
    {
        Exception e = Unwrap(failure);
        string message = OneLine(e.Message);
        return e switch
        {
            InvalidDataException => (ExitCodes.BadData, message),
            UsageException => (ExitCodes.InvalidArguments, message),
            S3DeadlineExceededException => (ExitCodes.Failure, $"{message}; the object storage did not answer in time: check that its endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) is up and reachable, then run again."),
            _ when IsRemoteRefusal(e) => (ExitCodes.BadData, message),
            AmazonServiceException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError } s =>
                (ExitCodes.BadData, $"the object storage refused the request ({(int)s.StatusCode} {s.ErrorCode}: {message}); check the bucket and prefix, the credentials and the endpoint."),
            AmazonServiceException s => (ExitCodes.Failure, $"the object storage failed ({(int)s.StatusCode} {s.ErrorCode}: {message}); run again later."),
            AmazonClientException => (ExitCodes.Failure, $"object storage: {message}"),
            FileNotFoundException or DirectoryNotFoundException => (ExitCodes.InvalidArguments, message),
            IOException when IsDiskFull(e) => (ExitCodes.Failure, $"the disk is full: {message}; free space or write elsewhere."),
            IOException or UnauthorizedAccessException => (ExitCodes.Failure, message),
            DllNotFoundException or EntryPointNotFoundException or BadImageFormatException => (ExitCodes.Failure, message),
            OutOfMemoryException or InsufficientExecutionStackException => (ExitCodes.Failure, $"out of memory: {message}"),
            NotSupportedException or PlatformNotSupportedException => (ExitCodes.Failure, message),
            ArgumentException => (ExitCodes.InvalidArguments, message),
            OperationCanceledException => (ExitCodes.Failure, "cancelled."),
            _ => (ExitCodes.InternalError, $"internal error ({e.GetType().Name}: {message}); please report this with the command line. Set SHARDSTORE_DEBUG=1 to print the stack trace."),
        };
    }

    /// <summary>
    /// Gets whether <paramref name="e"/> is a dataset in object storage that is not there or not readable (no such bucket or
    /// object, access denied): bad input naming the location, exit 3, where a missing local directory is a wrong argument.
    /// </summary>
    public static bool IsRemoteRefusal(Exception e) =>
        e is FileNotFoundException or UnauthorizedAccessException or IOException
        && (e.InnerException is AmazonServiceException || (e is FileNotFoundException { FileName: { } file } && S3Location.IsS3Uri(file)));

    /// <summary>Gets whether <paramref name="e"/> reports a full disk or quota.</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && (e.HResult is NoSpaceErrno or WindowsHandleDiskFull or WindowsDiskFull
            || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase));

    // Wrappers add nothing a user can act on: tasks and Parallel wrap in AggregateException, type initializers in
    // TypeInitializationException, and a writer that failed earlier reports the first failure as its inner exception.
    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: > 0 } a:
                    e = a.InnerExceptions[0];
                    break;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                case TypeInitializationException { InnerException: { } inner }:
                    e = inner;
                    break;
                case InvalidOperationException { InnerException: { } inner } when inner is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException or AggregateException:
                    e = inner;
                    break;
                default:
                    return e;
            }
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
