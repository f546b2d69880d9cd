using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using StreamSentinel.AnalystConsole.Options;

namespace StreamSentinel.AnalystConsole.Sessions;

/// <summary>
/// The console's passwords as ASP.NET Core Identity stores them: PBKDF2 (HMAC-SHA512, 100,000 iterations, a random
/// 128-bit salt), in Identity's version-3 format, base64. Configuration holds only these hashes.
/// </summary>
public static class ConsolePasswords
{
    public const int MinimumLength = 12;

    // Version-3 format: marker byte 0x01, PRF, iteration count, salt length (4 bytes each), a salt of 16 bytes or
    // more, a subkey of 32 bytes or more.
    private const int ShortestHash = 1 + 4 + 4 + 4 + 16 + 32;

    private static readonly PasswordHasher<ConsoleUser> Hasher = new();

    // Checked against when the name is unknown, so that an unknown name costs as long as a wrong password and the
    // answer's timing does not tell which names exist.
    private static readonly string Decoy = Hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));

    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < MinimumLength)
        {
            throw new ArgumentException($"A console password needs {MinimumLength} characters or more.", nameof(password));
        }

        return Hasher.HashPassword(null!, password);
    }

    /// <summary>Whether <paramref name="text"/> has the shape of a hash made by <see cref="Hash"/> (not whether it is right).</summary>
    public static bool IsHash(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var length) && length >= ShortestHash && bytes[0] == 0x01;
    }

    /// <summary>Whether <paramref name="password"/> is the user's; an unknown user (null) takes as long and fails.</summary>
    public static bool Verify(ConsoleUser? user, string password)
    {
        var result = Hasher.VerifyHashedPassword(null!, user?.PasswordHash ?? Decoy, password);
        return user is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
    }

    /// <summary>
    /// A short fingerprint of the user's hash, kept in the session: a new password (a new hash) ends the sessions
    /// signed in with the old one.
    /// </summary>
    public static string Stamp(ConsoleUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)).AsSpan(0, 12));
    }
}
