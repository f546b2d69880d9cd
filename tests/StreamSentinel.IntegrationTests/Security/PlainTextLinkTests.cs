using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Npgsql;
using StackExchange.Redis;

namespace StreamSentinel.IntegrationTests.Security;

/// <summary>
/// The local stack's encrypted links (scripts/stack.sh up): PostgreSQL admits the fleet's accounts over TLS only, and
/// their connection strings in .stack/env check the server's certificate and name (verify-full); Redis serves TLS on
/// its own port, where plain text gets no answer and clients sign in as an ACL user.
/// </summary>
public sealed class PlainTextLinkTests
{
    [Test]
    public async Task PostgreSQL_refuses_a_fleet_account_in_plain_text_and_admits_it_over_verified_TLS()
    {
        var writer = new NpgsqlConnectionStringBuilder(Required("SS_POSTGRES_WRITER"));
        Assert.That(writer.SslMode, Is.EqualTo(SslMode.VerifyFull), "SS_POSTGRES_WRITER from .stack/env verifies the server");

        var plain = new NpgsqlConnectionStringBuilder(writer.ConnectionString) { SslMode = SslMode.Disable, Pooling = false };
        var refused = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var connection = new NpgsqlConnection(plain.ConnectionString);
            await connection.OpenAsync();
        });

        await using var encrypted = new NpgsqlConnection(writer.ConnectionString);
        await encrypted.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", encrypted);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused!.SqlState, Is.EqualTo(PostgresErrorCodes.InvalidAuthorizationSpecification));
            Assert.That(refused.MessageText, Does.Contain("no encryption"));
            Assert.That(reader.GetBoolean(0), Is.True);
            Assert.That(reader.GetString(1), Does.StartWith("TLSv1."));
        }
    }

    [Test]
    public void PostgreSQL_over_TLS_refuses_a_server_certificate_another_CA_signed()
    {
        // verify-full with a CA that did not sign the server's certificate: the client must refuse the server.
        var otherCa = Path.Combine(Path.GetTempPath(), $"ss-other-ca-{Guid.NewGuid():N}.crt");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some other CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(otherCa, ca.ExportCertificatePem());
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(Required("SS_POSTGRES_WRITER")) { RootCertificate = otherCa, Pooling = false };
            Assert.That(
                async () =>
                {
                    await using var connection = new NpgsqlConnection(builder.ConnectionString);
                    await connection.OpenAsync();
                },
                Throws.InstanceOf<NpgsqlException>().And.Not.InstanceOf<PostgresException>(),
                "the TLS handshake fails on the client's side, before any password is sent");
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    [Test]
    public async Task Redis_TLS_port_answers_no_plain_text_and_signs_in_the_ACL_user_over_TLS()
    {
        var options = ConfigurationOptions.Parse(Required("SS_REDIS_TLS"));
        options.TrustIssuer(Required("SS_TLS_CA"));
        var (host, port) = options.EndPoints[0] switch
        {
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            System.Net.DnsEndPoint dns => (dns.Host, dns.Port),
            var other => throw new InvalidOperationException($"SS_REDIS_TLS: unexpected endpoint {other}"),
        };

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(host, port);
            var stream = tcp.GetStream();
            stream.ReadTimeout = 3000;
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
            var buffer = new byte[64];
            int read;
            try
            {
                read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (IOException)
            {
                read = 0;
            }

            Assert.That(Encoding.ASCII.GetString(buffer, 0, read), Does.Not.Contain("PONG"), "plain text on the TLS port");
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();
        Assert.That((await db.ExecuteAsync("ACL", "WHOAMI")).ToString(), Is.EqualTo("sentinel"));
        // The ACL user's password is checked. (The stack's default user still has none, for the plain port's clients:
        // production turns it off; README, "Security", "Links".)
        Assert.That(
            async () => await db.ExecuteAsync("AUTH", "sentinel", "not-the-password"),
            Throws.InstanceOf<RedisServerException>().With.Message.Contains("WRONGPASS"));
    }

    private static string Required(string name) =>
        System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: scripts/stack.sh up writes it to .stack/env (set -a; . .stack/env; set +a).");
}
