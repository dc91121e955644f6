using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ShardStore.S3.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 proxy on loopback in front of a server (for these tests, <see cref="MotoServer"/>) that delays, cuts short,
/// replaces or corrupts chosen responses, as a flaky network or an overloaded object store would.
/// </summary>
/// <remarks>
/// Each connection carries one request: the proxy forwards it with <c>Connection: close</c>, reads the whole response, applies the
/// fault armed for it (if any) and answers with <c>Connection: close</c>. Faults apply to the raw body as the server sent it.
/// Every wait ends when the proxy is disposed.
/// </remarks>
internal sealed class FaultProxy : IDisposable
{
    private static readonly TimeSpan s_exchangeBound = TimeSpan.FromSeconds(60);

    // Guarded by _sync: the armed faults, the number applied and every request received.
    private readonly Lock _sync = new();
    private readonly List<(ProxyFault Fault, Func<string, string, bool> Match, int Remaining)> _armed = [];
    private readonly List<ProxyRequest> _requests = [];
    private int _applied;

    // Set at construction; the token ends every wait when the proxy is disposed.
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _disposed = new();

    public FaultProxy(Uri target)
    {
        _targetPort = target.Port;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    /// <summary>Gets the endpoint clients use, <c>http://127.0.0.1:PORT</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Gets how many responses a fault has been applied to.</summary>
    public int Applied
    {
        get
        {
            lock (_sync)
            {
                return _applied;
            }
        }
    }

    /// <summary>Gets every request received so far, in the order they arrived, with the fault applied to each.</summary>
    public IReadOnlyList<ProxyRequest> Requests
    {
        get
        {
            lock (_sync)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Forgets the requests received so far (faults armed stay armed).</summary>
    public void ClearRequests()
    {
        lock (_sync)
        {
            _requests.Clear();
        }
    }

    /// <summary>Applies <paramref name="fault"/> to the next <paramref name="times"/> requests that <paramref name="match"/> accepts (method, target); by default GETs.</summary>
    public void Inject(ProxyFault fault, int times, Func<string, string, bool>? match = null)
    {
        lock (_sync)
        {
            _armed.Add((fault, match ?? ((method, _) => method == "GET"), times));
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _listener.Stop();
    }

    private ProxyFault? Take(string method, string target, string? range)
    {
        lock (_sync)
        {
            for (var i = 0; i < _armed.Count; i++)
            {
                var (fault, match, remaining) = _armed[i];
                if (remaining > 0 && match(method, target))
                {
                    _armed[i] = (fault, match, remaining - 1);
                    _applied++;
                    _requests.Add(new ProxyRequest(method, target, range, fault));
                    return fault;
                }
            }

            _requests.Add(new ProxyRequest(method, target, range, null));
            return null;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_disposed.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = HandleAsync(client);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        bound.CancelAfter(s_exchangeBound);
        var token = bound.Token;
        await using var clientStream = new NetworkStream(client, ownsSocket: true);
        try
        {
            var (head, body) = await ReadRequestAsync(clientStream, token).ConfigureAwait(false);
            var requestLine = head[0].Split(' ');
            var range = head.Skip(1).Select(Split).Where(h => h.Name.Equals("Range", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
            var fault = Take(requestLine[0], requestLine[1], range);
            if (fault?.Status is { } status)
            {
                await WriteErrorAsync(clientStream, status, token).ConfigureAwait(false);
                return;
            }

            var response = await ExchangeAsync(head, body, token).ConfigureAwait(false);
            var headerEnd = IndexOfHeaderEnd(response, response.Length);
            if (headerEnd < 0)
            {
                throw new InvalidDataException("the server closed the connection without a whole response");
            }

            var responseHead = Lines(response.AsSpan(0, headerEnd));
            var responseBody = response.AsMemory(headerEnd + 4);
            if (fault is not null)
            {
                await Task.Delay(fault.Delay, token).ConfigureAwait(false);
                if (fault.CorruptBodyAt is { } at && at < responseBody.Length)
                {
                    responseBody.Span[at] ^= 0xFF;
                }

                if (fault.TruncateBodyTo is { } keep && keep < responseBody.Length)
                {
                    responseBody = responseBody[..keep];
                }
            }

            await clientStream.WriteAsync(Head(responseHead), token).ConfigureAwait(false);
            await clientStream.WriteAsync(responseBody, token).ConfigureAwait(false);
            if (fault is not null && fault.StallBeforeClose > TimeSpan.Zero)
            {
                await Task.Delay(fault.StallBeforeClose, _disposed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            // The client gave up (its attempt timed out), the server went away, or the proxy was disposed: drop the connection.
        }
    }

    private async Task<byte[]> ExchangeAsync(List<string> head, ReadOnlyMemory<byte> body, CancellationToken token)
    {
        using var server = new TcpClient();
        await server.ConnectAsync(IPAddress.Loopback, _targetPort, token).ConfigureAwait(false);
        var stream = server.GetStream();
        await stream.WriteAsync(Head(head), token).ConfigureAwait(false);
        await stream.WriteAsync(body, token).ConfigureAwait(false);
        using var response = new MemoryStream();
        await stream.CopyToAsync(response, token).ConfigureAwait(false);
        return response.ToArray();
    }

    private static async Task<(List<string> Head, ReadOnlyMemory<byte> Body)> ReadRequestAsync(Stream stream, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer, filled)) < 0)
        {
            if (filled == buffer.Length)
            {
                throw new InvalidDataException("request headers too long");
            }

            var n = await stream.ReadAsync(buffer.AsMemory(filled), token).ConfigureAwait(false);
            filled += n > 0 ? n : throw new InvalidDataException("the connection closed before the request headers ended");
        }

        var head = Lines(buffer.AsSpan(0, headerEnd));
        var length = head.Skip(1).Select(Split).Where(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(h => int.Parse(h.Value, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        var have = Math.Min(length, filled - headerEnd - 4);
        buffer.AsSpan(headerEnd + 4, have).CopyTo(body);
        await stream.ReadExactlyAsync(body.AsMemory(have), token).ConfigureAwait(false);
        return (head, body);
    }

    private static async Task WriteErrorAsync(Stream stream, HttpStatusCode status, CancellationToken token)
    {
        var body = Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{status}</Code><Message>injected fault</Message></Error>");
        List<string> head = [$"HTTP/1.1 {(int)status} {status}", "Content-Type: application/xml", $"Content-Length: {body.Length}"];
        await stream.WriteAsync(Head(head), token).ConfigureAwait(false);
        await stream.WriteAsync(body, token).ConfigureAwait(false);
    }

    /// <summary>Serialises a start line and headers, replacing any connection headers by <c>Connection: close</c>.</summary>
    private static byte[] Head(List<string> lines)
    {
        var text = new StringBuilder();
        text.Append(lines[0]).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(l => !IsConnectionHeader(Split(l).Name)))
        {
            text.Append(line).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("Connection: close\r\n\r\n").ToString());
    }

    private static bool IsConnectionHeader(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase);

    private static List<string> Lines(ReadOnlySpan<byte> head) => [.. Encoding.ASCII.GetString(head).Split("\r\n")];

    private static (string Name, string Value) Split(string header)
    {
        var colon = header.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (header, string.Empty) : (header[..colon], header[(colon + 1)..].Trim());
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int length) => buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
}
