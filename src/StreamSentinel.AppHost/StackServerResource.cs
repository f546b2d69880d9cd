namespace StreamSentinel.AppHost;

/// <summary>A server of the local stack, run by <c>stack.sh serve</c>, whose connection string other resources reference.</summary>
internal sealed class StackServerResource(string name, string script, string repository, ReferenceExpression connectionString)
    : ExecutableResource(name, script, repository), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression { get; } = connectionString;
}
