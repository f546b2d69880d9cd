using Microsoft.ML.Data;

namespace StreamSentinel.Detection.Model;

/// <summary>One example for ML.NET: the feature vector of <see cref="Domain.Detection.ModelFeatures"/> and, when training, the label.</summary>
public sealed class ModelRow
{
    public const int FeatureCount = 21;

    [VectorType(FeatureCount)]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}
