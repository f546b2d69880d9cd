using System.Net;
using System.Net.Sockets;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay in front of one server, so that a test can cut a worker off from a server every other test shares:
/// while cut, connecting is refused and every open connection is reset, as when the server's host goes away; once
/// restored it accepts again on the same port. Bytes pass through untouched (TLS included).
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly object _gate = new();
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _accepting;

    private TcpRelay(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    public bool IsCut => _listener is null;

    public static TcpRelay Start(string host, int port)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var listenPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var relay = new TcpRelay(new IPEndPoint(IPAddress.Parse(host), port), listenPort);
        relay.Restore();
        return relay;
    }

    /// <summary>Refuses new connections and resets the open ones.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _accepting?.Cancel();
            _listener?.Stop();
            _listener = null;
            foreach (var socket in _open)
            {
                // Linger 0: close with a reset, not a graceful FIN, as a vanished host would.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _open.Clear();
        }
    }

    /// <summary>Accepts connections again on the same port.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _accepting = new CancellationTokenSource();
            _ = AcceptAsync(listener, _accepting.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, cancellationToken);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken cancellationToken)
    {
        var server = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        lock (_gate)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                client.Close();
                server.Dispose();
                return;
            }

            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, cancellationToken);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Close();
            server.Close();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
