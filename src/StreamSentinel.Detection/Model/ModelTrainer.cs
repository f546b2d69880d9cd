using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
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
        var trainedAt = time.GetUtcNow();
        var metadata = new ModelMetadata
        {
            Name = ModelName,
            // Seed, size and a digest of what the model holds: two different models never share a version, and
            // training again with the same seed and count gives the same one.
            Version = string.Create(CultureInfo.InvariantCulture, $"s{seed}-n{rows.Count}-{ContentDigest(modelPath)}"),
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

    // ML.NET's zip stamps each entry with the time it was written; the entries themselves are the same for the same
    // training, so the digest covers names and contents only.
    private static string ContentDigest(string modelPath)
    {
        using var archive = ZipFile.OpenRead(modelPath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in archive.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(entry.FullName));
            using var content = entry.Open();
            using var buffer = new MemoryStream();
            content.CopyTo(buffer);
            hash.AppendData(buffer.ToArray());
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..10];
    }
}
