using Dapper;
using Microsoft.Playwright;
using StreamSentinel.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace StreamSentinel.BrowserTests;

/// <summary>
/// What the browser test classes share: a console of their own (started by <see cref="StartConsoleAsync"/>), headless
/// Chromium, pages that record every error of the browser's console, signing in, and screenshots in
/// artifacts/screenshots/console.
/// </summary>
public abstract class ConsoleBrowserTests
{
    // A sign-in verifies a PBKDF2 hash (slow by design) and reads the lockout's audit trail; the first one of a run
    // also pays for JIT and cold connections, which on a loaded 2-core machine took longer than Playwright's 5 s.
    protected static readonly LocatorAssertionsToContainTextOptions SignInWait = new() { Timeout = 20_000 };

    private static readonly string Screenshots = RepositoryRoot.Combine("artifacts", "screenshots", "console");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private protected ConsoleFixture Fixture { get; private set; } = null!;

    /// <summary>The console's address, without a trailing slash.</summary>
    protected string Address { get; private set; } = null!;

    private protected abstract Task<ConsoleFixture> StartConsoleAsync();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Directory.CreateDirectory(Screenshots);
        Fixture = await StartConsoleAsync();
        Address = Fixture.Address.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = AssemblySetUp.Chromium, Headless = true });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Fixture is not null)
        {
            await Fixture.DisposeAsync();
        }
    }

    protected async Task<(IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return (page, errors);
    }

    protected async Task<(IPage Page, List<string> Errors)> SignedInPageAsync(string name, string password)
    {
        var (page, errors) = await NewPageAsync();
        await page.GotoAsync(Address + "/login");
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync(name, SignInWait);
        return (page, errors);
    }

    protected static async Task ShotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    protected async Task<Guid> AlertOfAsync(string transactionId)
    {
        await using var connection = await Fixture.Databases.Postgres.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<Guid>("SELECT id FROM fraud_alerts WHERE transaction_id = @transactionId", new { transactionId });
    }
}
