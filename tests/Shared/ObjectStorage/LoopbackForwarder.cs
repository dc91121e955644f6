using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ShardStore.Testing.ObjectStorage;

/// <summary>
/// Forwards TCP connections from a fixed loopback port to a target port that may change, so that a server behind it can be
/// killed and started again elsewhere while clients keep one endpoint. While closed, connections to the port are refused and
/// forwarded ones are cut, as when the server itself is down.
/// </summary>
internal sealed class LoopbackForwarder : IDisposable
{
    // Guarded by _sync: the listener, its accept loop, the target and the open connections' sockets.
    private readonly Lock _sync = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private TcpListener? _listener;
    private int _targetPort;

    public LoopbackForwarder(int port) => Port = port;

    public int Port { get; }

    /// <summary>Starts accepting on <see cref="Port"/>, forwarding to <paramref name="targetPort"/>.</summary>
    public void Open(int targetPort)
    {
        lock (_sync)
        {
            if (_listener is not null)
            {
                throw new InvalidOperationException("The forwarder is already open.");
            }

            _targetPort = targetPort;
            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _ = AcceptLoopAsync(listener, targetPort);
        }
    }

    /// <summary>Stops accepting and cuts every forwarded connection.</summary>
    public void Close()
    {
        lock (_sync)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var socket in _sockets.Keys)
            {
                Abort(socket);
            }
        }
    }

    public void Dispose() => Close();

    private async Task AcceptLoopAsync(TcpListener listener, int targetPort)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = ForwardAsync(client, targetPort);
        }
    }

    private async Task ForwardAsync(Socket client, int targetPort)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets[client] = 0;
        _sockets[server] = 0;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, targetPort).ConfigureAwait(false);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Abort(client);
            Abort(server);
            _sockets.TryRemove(client, out _);
            _sockets.TryRemove(server, out _);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
