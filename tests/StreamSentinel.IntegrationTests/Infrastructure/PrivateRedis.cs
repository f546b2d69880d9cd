using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>
/// A Redis server of one test's own (Debian's redis-server, on a free port, its append-only file in a temporary
/// folder), so that the test can stop and start it without disturbing the tests that share the stack's Redis.
/// </summary>
internal sealed class PrivateRedis : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ss-redis-").FullName;
    private readonly int _port;
    private Process? _server;

    private PrivateRedis(int port) => _port = port;

    /// <summary>StackExchange.Redis configuration string; clients keep retrying while the server is stopped.</summary>
    public string ConnectionString => $"127.0.0.1:{_port},abortConnect=false,connectTimeout=1000,syncTimeout=2000";

    public static async Task<PrivateRedis> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var redis = new PrivateRedis(port);
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Starts the server (again, on the same port and data) and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", $"{_port}", "--bind", "127.0.0.1", "--dir", _directory, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        })
        {
            info.ArgumentList.Add(argument);
        }

        _server = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await PipelineFixture.WaitForAsync(async () =>
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_port},connectTimeout=500");
                return (await connection.GetDatabase().PingAsync()) > TimeSpan.Zero;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20));
    }

    /// <summary>Stops the server as a crash would (SIGKILL); with appendfsync always, every write it acknowledged survives.</summary>
    public async Task StopAsync()
    {
        if (_server is { HasExited: false } server)
        {
            server.Kill(entireProcessTree: false);
            await server.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
