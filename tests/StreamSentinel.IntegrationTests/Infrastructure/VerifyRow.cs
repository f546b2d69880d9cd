namespace StreamSentinel.IntegrationTests.Infrastructure;

/// <summary>One store's line of <c>verify</c>'s table.</summary>
internal sealed record VerifyRow(string Store, long Expected, long Found, long Lost, long Duplicated, long Misrouted, long Unknown, bool Passed);
