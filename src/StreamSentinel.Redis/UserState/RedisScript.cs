using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace StreamSentinel.Redis.UserState;

/// <summary>A Lua script embedded in this assembly, called by its SHA-1 and sent in full only to a server without it.</summary>
internal sealed class RedisScript
{
    private readonly string _text;
    private readonly byte[] _sha1;

    private RedisScript(string text)
    {
        _text = text;
#pragma warning disable CA5350 // Redis names cached scripts by their SHA-1 (EVALSHA); nothing here depends on its strength.
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    public static RedisScript Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"StreamSentinel.Redis.UserState.{name}")
            ?? throw new InvalidOperationException($"The script {name} is not embedded in StreamSentinel.Redis.");
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
    }

    // EVALSHA first: the script is sent in full only after a restart or a failover emptied the server's cache.
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_text, keys, args);
        }
    }
}
