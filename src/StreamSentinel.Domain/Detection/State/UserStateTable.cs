using StreamSentinel.Contracts;

namespace StreamSentinel.Domain.Detection.State;

/// <summary>
/// Every user's state in this process, for one pass over a stream in order: what training, evaluation and the
/// benchmarks apply traffic to, with exactly the arithmetic the detection worker uses.
/// </summary>
public sealed class UserStateTable(UserStateLimits limits)
{
    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);

    public int Users => _users.Count;

    /// <summary>The state before the transaction, or null when the same payment was applied before (it is not counted twice).</summary>
    public UserStateSnapshot? Apply(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (!_users.TryGetValue(transaction.UserId, out var state))
        {
            _users[transaction.UserId] = state = new UserState(limits);
        }

        var eventKey = StateKeys.Of(transaction.EventId);
        return state.HasApplied(eventKey) ? null : state.Apply(transaction, eventKey);
    }
}
