using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ShardStore.S3;

namespace ShardStore.Testing.ObjectStorage;

/// <summary>
/// A real S3 API server for tests: <c>moto_server</c> as a child process on a free loopback port, behind a
/// <see cref="LoopbackForwarder"/> so that clients keep one endpoint while the server is killed and started again.
/// </summary>
/// <remarks>
/// moto keeps its objects in memory: a restarted server is empty until the caller's restore step (given to
/// <see cref="RestartAsync"/>) has put back what the test needs; only then does the public endpoint accept connections again.
/// When moto_server is missing or does not answer, <see cref="StartAsync"/> makes the test Inconclusive with the reason.
/// </remarks>
internal sealed class MotoServer : IDisposable
{
    private const string Executable = "moto_server";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    // One test thread drives a server; the forwarder guards its own state.
    private readonly LoopbackForwarder _forwarder;
    private readonly string _executable;
    private Process? _process;
    private int _port;

    private MotoServer(string executable, int publicPort)
    {
        _executable = executable;
        _forwarder = new LoopbackForwarder(publicPort);
    }

    /// <summary>Gets the endpoint clients use, <c>http://127.0.0.1:PORT</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{_forwarder.Port}";

    /// <summary>Starts a server, or makes the calling test Inconclusive with the reason it could not.</summary>
    public static async Task<MotoServer> StartAsync()
    {
        var executable = FindOnPath(Executable);
        if (executable is null)
        {
            Assert.Inconclusive($"{Executable} is not on PATH; install it with: python3 -m pip install 'moto[server]==5.2.1'");
        }

        var server = new MotoServer(executable, FreePort());
        try
        {
            var port = await server.StartProcessAsync().ConfigureAwait(false);
            server._forwarder.Open(port);
            await server.WarmUpAsync().ConfigureAwait(false);
            return server;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            server.Dispose();
            Assert.Inconclusive($"{Executable} could not be started: {e.Message}");
            throw;
        }
    }

    /// <summary>Options for a client of this server: its endpoint (or <paramref name="serviceUrl"/>, such as a proxy in front of it), dummy credentials, short retry times unless given.</summary>
    public S3StorageOptions Options(TimeSpan? retryDeadline = null, TimeSpan? attemptTimeout = null, string? serviceUrl = null) => new()
    {
        ServiceUrl = serviceUrl ?? ServiceUrl,
        Region = "us-east-1",
        Credentials = new BasicAWSCredentials("testing", "testing"),
        RetryDeadline = retryDeadline ?? TimeSpan.FromSeconds(20),
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(5),
        InitialRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>Creates a client of the public endpoint; path-style addressing follows from the IP address.</summary>
    public IAmazonS3 CreateClient() => S3ClientFactory.Create(Options());

    /// <summary>Creates a bucket and puts one object into it through <paramref name="client"/>.</summary>
    public static async Task PutAsync(IAmazonS3 client, string bucket, string key, byte[] content, bool createBucket)
    {
        if (createBucket)
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }).ConfigureAwait(false);
        }

        using var body = new MemoryStream(content);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body }).ConfigureAwait(false);
    }

    /// <summary>Kills the server process; the endpoint refuses connections until <see cref="RestartAsync"/>.</summary>
    public void Stop()
    {
        _forwarder.Close();
        KillProcess();
    }

    /// <summary>Starts a fresh server, lets <paramref name="restore"/> put back state through a client of it, then opens the endpoint.</summary>
    public async Task RestartAsync(Func<IAmazonS3, Task> restore)
    {
        Stop();
        var port = await StartProcessAsync().ConfigureAwait(false);
        using (var direct = S3ClientFactory.Create(new S3StorageOptions
        {
            ServiceUrl = $"http://127.0.0.1:{port}",
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("testing", "testing"),
        }))
        {
            await restore(direct).ConfigureAwait(false);
        }

        _forwarder.Open(port);
    }

    public void Dispose()
    {
        _forwarder.Dispose();
        KillProcess();
    }

    private async Task<int> StartProcessAsync()
    {
        var port = FreePort();
        var info = new ProcessStartInfo(_executable)
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{_executable} did not start");
        _process = process;
        _port = port;

        // Drain the pipes so that a chatty server never blocks on a full one; keep the tail for the reason of a failure.
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                log.Enqueue(line);
                while (log.Count > 20)
                {
                    log.TryDequeue(out _);
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_startTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{_executable} exited with code {process.ExitCode}: {string.Join(" | ", log)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/moto-api/")).ConfigureAwait(false);
                return port;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        KillProcess();
        throw new TimeoutException($"{_executable} did not answer on port {port} within {s_startTimeout.TotalSeconds} s: {string.Join(" | ", log)}");
    }

    // moto loads its S3 backend on the first S3 request, which takes seconds on a loaded machine: pay that here, with
    // generous timeouts, so the tests' own short attempt timeouts and retry deadlines measure the server, not its start.
    private async Task WarmUpAsync()
    {
        using IAmazonS3 client = S3ClientFactory.Create(Options(retryDeadline: s_startTimeout, attemptTimeout: s_startTimeout));
        try
        {
            await client.ListBucketsAsync().WaitAsync(s_startTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            throw new TimeoutException($"{_executable} did not answer an S3 request within {s_startTimeout.TotalSeconds} s: {e.Message}", e);
        }
    }

    private void KillProcess()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"{_executable} (pid {process.Id}, port {_port}) did not exit within 30 s of being killed");
            }
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
