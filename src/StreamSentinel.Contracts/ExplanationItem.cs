namespace StreamSentinel.Contracts;

/// <summary>One contribution to a score: a fired rule or a model feature, with its weight and a readable message.</summary>
/// <param name="Source">Either <c>rule</c> or <c>model</c>.</param>
/// <param name="Code">The rule's name or the feature's name.</param>
/// <param name="Message">What an analyst reads, e.g. "7 payments in the last minute (usual: 0.2)".</param>
/// <param name="Weight">How much it moved the score.</param>
public sealed record ExplanationItem(string Source, string Code, string Message, double Weight);
