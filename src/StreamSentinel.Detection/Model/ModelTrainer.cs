using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using StreamSentinel.Domain.Detection;

namespace StreamSentinel.Detection.Model;

/// <summary>Trains the gradient-boosted tree classifier (ML.NET FastTree) and writes it with its metadata.</summary>
public static class ModelTrainer
{
    public const string ModelName = "fraud-fasttree";

    /// <summary>Every fifth example is held out to measure the model; the rest train it. Single-threaded, so a seed gives one model.</summary>
    public static ModelMetadata Train(IReadOnlyList<ModelRow> rows, int seed, string modelPath, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(time);
        var context = new MLContext(seed: seed);
        var training = context.Data.LoadFromEnumerable(rows.Where((_, i) => i % 5 != 0));
        var holdout = context.Data.LoadFromEnumerable(rows.Where((_, i) => i % 5 == 0));
        var trainer = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = 200,
            NumberOfLeaves = 31,
            MinimumExampleCountPerLeaf = 10,
            LearningRate = 0.1,
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(training);
        var metrics = context.BinaryClassification.Evaluate(model.Transform(holdout));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        context.Model.Save(model, training.Schema, modelPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(modelPath)))[..8];
        var trainedAt = time.GetUtcNow();
        var metadata = new ModelMetadata
        {
            Name = ModelName,
            // Date, seed and a digest of the file: two different files never share a version.
            Version = $"{trainedAt:yyyyMMdd}-s{seed}-{hash}",
            TrainedAt = trainedAt,
            Seed = seed,
            Transactions = rows.Count,
            FraudTransactions = rows.Count(r => r.Label),
            Features = ModelFeatures.Names,
            HoldoutAuc = Math.Round(metrics.AreaUnderRocCurve, 5),
            Trainer = "ML.NET FastTree binary, 200 trees, 31 leaves, learning rate 0.1",
        };
        metadata.Write(ModelMetadata.PathFor(modelPath));
        return metadata;
    }
}
