using System.CommandLine;
using System.Text;
using StreamSentinel.AnalystConsole.Sessions;
using StreamSentinel.Cli.Hosting;

namespace StreamSentinel.Cli.Commands;

/// <summary>
/// <c>hash-password</c>: the hash of a console password, for <c>Console__Users__N__PasswordHash</c>. The password comes
/// from stdin, never from the command line, where other users of the machine and the shell's history would see it.
/// </summary>
internal static class HashPasswordCommand
{
    public static Command Create()
    {
        var command = new Command(
            "hash-password",
            "Read a console password from stdin (one line; typed without echo on a terminal) and print its hash "
            + $"(ASP.NET Core Identity, PBKDF2) for Console__Users__N__PasswordHash. {ConsolePasswords.MinimumLength} characters or more.");
        command.SetAction(_ =>
        {
            var password = Console.IsInputRedirected ? Console.In.ReadLine() : ReadHidden();
            if (password is null || password.Length < ConsolePasswords.MinimumLength)
            {
                Console.Error.WriteLine($"A console password needs {ConsolePasswords.MinimumLength} characters or more (read from stdin, one line).");
                return WorkerHost.InvalidConfiguration;
            }

            Console.Out.WriteLine(ConsolePasswords.Hash(password));
            return 0;
        });
        return command;
    }

    private static string ReadHidden()
    {
        Console.Error.Write("Password: ");
        var password = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return password.ToString();
    }
}
