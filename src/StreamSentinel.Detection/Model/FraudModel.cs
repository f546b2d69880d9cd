using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Transforms;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Detection.Model;

/// <summary>
/// The trained classifier, loaded once per process. Scoring and explaining are thread-safe (one prediction engine of
/// each per thread).
/// </summary>
public sealed class FraudModel : IDisposable
{
    private readonly ThreadLocal<PredictionEngine<ModelRow, ModelPrediction>> _engines;
    private readonly ThreadLocal<PredictionEngine<ModelRow, ModelContributions>> _explainers;

    private FraudModel(ITransformer transformer, MLContext context, ModelMetadata metadata)
    {
        Metadata = metadata;
        _engines = new ThreadLocal<PredictionEngine<ModelRow, ModelPrediction>>(
            () => context.Model.CreatePredictionEngine<ModelRow, ModelPrediction>(transformer), trackAllValues: true);
        var contributions = FeatureContributions(transformer, context);
        _explainers = new ThreadLocal<PredictionEngine<ModelRow, ModelContributions>>(
            () => context.Model.CreatePredictionEngine<ModelRow, ModelContributions>(contributions), trackAllValues: true);
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

    /// <summary>
    /// Each feature's signed contribution to this vector's score, in the trees' raw units (log-odds before
    /// calibration: positive pushes towards fraud), in <see cref="ModelFeatures.Names"/> order. ML.NET walks each tree's
    /// path for the vector and credits every split's change of value to the split's feature; about as costly as a
    /// score, so it is asked for alerts only.
    /// </summary>
    public float[] Contributions(float[] features)
    {
        var explained = _explainers.Value!.Predict(new ModelRow { Features = features });
        var contributions = new float[ModelFeatures.Count];
        explained.FeatureContributions.AsSpan(0, Math.Min(contributions.Length, explained.FeatureContributions.Length)).CopyTo(contributions);
        return contributions;
    }

    public void Dispose()
    {
        foreach (var engine in _engines.Values)
        {
            engine.Dispose();
        }

        foreach (var engine in _explainers.Values)
        {
            engine.Dispose();
        }

        _engines.Dispose();
        _explainers.Dispose();
    }

    // A model saved by ModelTrainer is FastTree's calibrated prediction transformer; ML.NET computes contributions of
    // the trees beneath the calibrator (the calibrator only maps their sum to a probability).
    private static FeatureContributionCalculatingTransformer FeatureContributions(ITransformer transformer, MLContext context)
    {
        if (transformer is not ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> predictor)
        {
            throw new InvalidDataException(
                $"The model is a {transformer.GetType()}, not the calibrated FastTree classifier `stream-sentinel train` writes: train it again.");
        }

        var schema = context.Data.LoadFromEnumerable(new[] { new ModelRow { Features = new float[ModelRow.FeatureCount] } });
        return context.Transforms
            .CalculateFeatureContribution(predictor, numberOfPositiveContributions: ModelRow.FeatureCount, numberOfNegativeContributions: ModelRow.FeatureCount, normalize: false)
            .Fit(schema);
    }
}
