namespace StreamSentinel.Gateway.Endpoints;

/// <summary>A request body went past its limit while it was being read.</summary>
internal sealed class BodyTooLargeException(long limit) : IOException($"The body exceeds {limit} bytes.")
{
    public long Limit { get; } = limit;
}
