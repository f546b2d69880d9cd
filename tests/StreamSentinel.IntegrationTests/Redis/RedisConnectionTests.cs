using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using StreamSentinel.IntegrationTests.Infrastructure;
using StreamSentinel.Redis.DependencyInjection;

namespace StreamSentinel.IntegrationTests.Redis;

public sealed class RedisConnectionTests
{
    [Test]
    public async Task Host_gets_one_multiplexer_connected_to_the_configured_server()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = TestServers.Current.Redis });
        builder.AddRedis();
        using var host = builder.Build();

        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var key = "ss:test:" + Guid.NewGuid().ToString("N");
        var database = redis.GetDatabase();
        await database.StringSetAsync(key, "42", TimeSpan.FromMinutes(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.Services.GetRequiredService<IConnectionMultiplexer>(), Is.SameAs(redis));
            Assert.That((string?)await database.StringGetAsync(key), Is.EqualTo("42"));
            Assert.That(await database.PingAsync(), Is.LessThan(TimeSpan.FromSeconds(1)));
        }

        await database.KeyDeleteAsync(key);
    }

    [Test]
    public void Missing_configuration_names_the_variable()
    {
        var builder = Host.CreateApplicationBuilder();

        Assert.That(() => builder.AddRedis(), Throws.TypeOf<Microsoft.Extensions.Options.OptionsValidationException>().With.Message.Contains("SS_REDIS"));
    }
}
