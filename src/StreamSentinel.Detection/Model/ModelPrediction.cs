namespace StreamSentinel.Detection.Model;

/// <summary>What the binary classifier returns; only the calibrated probability is used.</summary>
public sealed class ModelPrediction
{
    public float Probability { get; set; }

    public float Score { get; set; }

    public bool PredictedLabel { get; set; }
}

/// <summary>What ML.NET's feature-contribution calculator returns: one signed value per feature.</summary>
public sealed class ModelContributions
{
    public float[] FeatureContributions { get; set; } = [];
}
