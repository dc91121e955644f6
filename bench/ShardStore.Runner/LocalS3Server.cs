using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using ShardStore.S3;

namespace ShardStore.Runner;

/// <summary>
/// An S3 API server for the remote mode: <c>moto_server</c> started on a free loopback port and killed at dispose, or
/// one that already runs (<c>--s3-endpoint</c>, credentials from the environment).
/// </summary>
internal sealed class LocalS3Server : IDisposable
{
    private readonly Process? _process;

    private LocalS3Server(Process? process, S3StorageOptions options)
    {
        _process = process;
        Options = options;
    }

    /// <summary>Gets the options every client of the run uses.</summary>
    public S3StorageOptions Options { get; }

    /// <summary>Uses the server at <paramref name="endpoint"/>, or starts moto_server when it is null; null (having said why) when none can be had.</summary>
    public static LocalS3Server? Start(string? endpoint)
    {
        if (endpoint is not null)
        {
            return new LocalS3Server(null, new S3StorageOptions { ServiceUrl = endpoint, Region = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1" });
        }

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Process? process;
        try
        {
            process = Process.Start(new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"remote: moto_server could not be started ({e.Message}); install it with python3 -m pip install 'moto[server]==5.2.1', or give --s3-endpoint.");
            return null;
        }

        process!.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LocalS3Server(process, new S3StorageOptions
        {
            ServiceUrl = $"http://127.0.0.1:{port}",
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("bench", "bench"),
            ForcePathStyle = true,
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using HttpResponseMessage response = http.GetAsync(new Uri($"http://127.0.0.1:{port}/moto-api/")).GetAwaiter().GetResult();
                return server;
            }
            catch (HttpRequestException)
            {
                Thread.Sleep(100);
            }
        }

        server.Dispose();
        Console.Error.WriteLine("remote: moto_server did not answer within 30 s.");
        return null;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
    }
}
