using Microsoft.ML;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Detection.Model;

/// <summary>The trained classifier, loaded once per process. Scoring is thread-safe (one prediction engine per thread).</summary>
public sealed class FraudModel : IDisposable
{
    private readonly ThreadLocal<PredictionEngine<ModelRow, ModelPrediction>> _engines;

    private FraudModel(ITransformer transformer, MLContext context, ModelMetadata metadata)
    {
        Metadata = metadata;
        _engines = new ThreadLocal<PredictionEngine<ModelRow, ModelPrediction>>(
            () => context.Model.CreatePredictionEngine<ModelRow, ModelPrediction>(transformer), trackAllValues: true);
    }

    public ModelMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public string Version => Metadata.Version;

    /// <exception cref="FileNotFoundException">No model (or no metadata) at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The model was trained on other features than this build computes.</exception>
    public static FraudModel Load(string path)
    {
        var metadataPath = ModelMetadata.PathFor(path);
        if (!File.Exists(path) || !File.Exists(metadataPath))
        {
            throw new FileNotFoundException(
                $"No fraud model at {path} (with {Path.GetFileName(metadataPath)} beside it). Train one with `stream-sentinel train`, "
                + "or point Detection:ModelPath at one.", path);
        }

        var metadata = ModelMetadata.Read(metadataPath);
        if (!metadata.Features.SequenceEqual(ModelFeatures.Names))
        {
            throw new InvalidDataException(
                $"The model {metadata.Name} {metadata.Version} was trained on features [{string.Join(", ", metadata.Features)}], "
                + $"but this build computes [{string.Join(", ", ModelFeatures.Names)}]: train it again with `stream-sentinel train`.");
        }

        var context = new MLContext(seed: metadata.Seed);
        var transformer = context.Model.Load(path, out _);
        return new FraudModel(transformer, context, metadata);
    }

    /// <summary>The probability of fraud, in 0..1.</summary>
    public double Score(float[] features)
    {
        var prediction = _engines.Value!.Predict(new ModelRow { Features = features });
        return float.IsFinite(prediction.Probability) ? Math.Clamp(prediction.Probability, 0, 1) : 0;
    }

    public void Dispose()
    {
        foreach (var engine in _engines.Values)
        {
            engine.Dispose();
        }

        _engines.Dispose();
    }
}
