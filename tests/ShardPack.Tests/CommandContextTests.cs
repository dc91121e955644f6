using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using ShardPack.Commands;
using ShardStore.S3;

namespace ShardPack.Tests;

/// <summary>Every failure of a command becomes one documented exit code and one line on stderr, never a stack trace.</summary>
[TestClass]
public sealed class CommandContextTests
{
    public static IEnumerable<object[]> Failures =>
    [
        [new InvalidDataException("'a.csv', line 3: bad number"), ExitCodes.BadData],
        [new UsageException("--codec 'x': use none, lz4, lz4hc or zstd."), ExitCodes.InvalidArguments],
        [new ArgumentException("bad option", "x"), ExitCodes.InvalidArguments],
        [new FileNotFoundException("Could not find file '/nope/a.npy'.", "/nope/a.npy"), ExitCodes.InvalidArguments],
        [new DirectoryNotFoundException("Dataset directory '/nope' does not exist."), ExitCodes.InvalidArguments],
        [new IOException("Input/output error : '/data/a.npy'"), ExitCodes.Failure],
        [new UnauthorizedAccessException("Access to the path '/data/out' is denied."), ExitCodes.Failure],
        [new DllNotFoundException("liblz4 cannot be loaded; install liblz4-1."), ExitCodes.Failure],
        [new AggregateException(new IOException("Input/output error : '/data/a.npy'")), ExitCodes.Failure],
        [new InvalidOperationException("The writer failed earlier and can only be disposed; nothing was published.", new IOException("No space left on device : '/data/x'", 28)), ExitCodes.Failure],
        [new NullReferenceException("Object reference not set to an instance of an object."), ExitCodes.InternalError],
        [new InvalidOperationException("Collection was modified."), ExitCodes.InternalError],
        [new S3DeadlineExceededException("s3://b/ds/shards/0.shard: bytes 0-99 not read within the retry deadline", "s3://b/ds/shards/0.shard", 0, 100, null), ExitCodes.Failure],
        [new FileNotFoundException("s3://b/ds/manifest.json does not exist", "s3://b/ds/manifest.json", S3Refusal(HttpStatusCode.NotFound)), ExitCodes.BadData],
        [new FileNotFoundException("s3://b/ds/manifest.json does not exist", "s3://b/ds/manifest.json"), ExitCodes.BadData],
        [new UnauthorizedAccessException("s3://b/ds/manifest.json: the storage denied access", S3Refusal(HttpStatusCode.Forbidden)), ExitCodes.BadData],
        [new IOException("s3://b/ds/manifest.json: the storage refused the request", S3Refusal(HttpStatusCode.BadRequest)), ExitCodes.BadData],
        [S3Refusal(HttpStatusCode.Forbidden), ExitCodes.BadData],
        [S3Refusal(HttpStatusCode.NotImplemented), ExitCodes.Failure],
    ];

    private static AmazonS3Exception S3Refusal(HttpStatusCode status) => new("refused", ErrorType.Sender, status.ToString(), "request-1", status);

    [TestMethod]
    [DynamicData(nameof(Failures))]
    public void Guard_Failure_MapsToDocumentedCodeWithOneLine(Exception failure, int expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CommandContext(output, error);

        int code = context.Guard(() => throw failure);

        Assert.AreEqual(expected, code, error.ToString());
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, error.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain(" at ", lines[0], "no stack trace");
    }

    [TestMethod]
    public void Guard_UnexpectedFailure_SaysPleaseReport()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error);

        int code = context.Guard(() => throw new InvalidCastException("boom"));

        Assert.AreEqual(ExitCodes.InternalError, code);
        Assert.Contains("internal error", error.ToString());
        Assert.Contains("please report", error.ToString());
        Assert.Contains("SHARDSTORE_DEBUG=1", error.ToString());
    }

    [TestMethod]
    public void Guard_UnexpectedFailureWithDebug_PrintsStackTrace()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error, debug: true);

        int code = context.Guard(() => throw new InvalidCastException("boom"));

        Assert.AreEqual(ExitCodes.InternalError, code);
        Assert.Contains("System.InvalidCastException: boom", error.ToString());
        Assert.Contains(nameof(Guard_UnexpectedFailureWithDebug_PrintsStackTrace), error.ToString());
    }

    [TestMethod]
    public void Guard_S3DeadlineExceeded_NamesObjectRangeAndEndpointVariable()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error);

        int code = context.Guard(() => throw new S3DeadlineExceededException("s3://b/ds/shards/0.shard: bytes 0-99 not read within the retry deadline", "s3://b/ds/shards/0.shard", 0, 100, null));

        Assert.AreEqual(ExitCodes.Failure, code);
        Assert.Contains("s3://b/ds/shards/0.shard: bytes 0-99", error.ToString());
        Assert.Contains("did not answer in time", error.ToString());
        Assert.Contains("AWS_ENDPOINT_URL_S3", error.ToString());
    }

    [TestMethod]
    public void Guard_S3RefusalNotWrapped_NamesStatusAndErrorCode()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error);

        int code = context.Guard(() => throw S3Refusal(HttpStatusCode.Forbidden));

        Assert.AreEqual(ExitCodes.BadData, code);
        Assert.Contains("refused the request (403 Forbidden", error.ToString());
    }

    [TestMethod]
    public void Guard_DiskFull_SaysDiskIsFullNamingFile()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error);

        int code = context.Guard(() => throw new IOException("No space left on device : '/data/.out.partial-1/shard-00000.shard'", 28));

        Assert.AreEqual(ExitCodes.Failure, code);
        Assert.Contains("disk is full", error.ToString());
        Assert.Contains("shard-00000", error.ToString());
    }

    [TestMethod]
    public void Guard_MultiLineMessage_PrintsOneLine()
    {
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error);

        int code = context.Guard(() => throw new InvalidDataException("'a.csv', line 3: bad\nnumber"));

        Assert.AreEqual(ExitCodes.BadData, code);
        Assert.AreEqual("error: 'a.csv', line 3: bad number" + Environment.NewLine, error.ToString());
    }

    [TestMethod]
    public void Guard_CancelledByInterrupt_ExitsWithSignalCode()
    {
        using var interruption = new Interruption();
        using var error = new StringWriter();
        var context = new CommandContext(TextWriter.Null, error, interruption);

        int code = context.Guard(() =>
        {
            interruption.Request(System.Runtime.InteropServices.PosixSignal.SIGTERM);
            context.CancellationToken.ThrowIfCancellationRequested();
            return ExitCodes.Success;
        });

        Assert.AreEqual(ExitCodes.Terminated, code);
        Assert.Contains("SIGTERM", error.ToString());
    }
}
