using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamSentinel.Detection.Model;

/// <summary>Written beside the model file by <c>train</c>: which model it is and how it was made.</summary>
public sealed record ModelMetadata
{
    public string Name { get; init; } = "";

    /// <summary>Goes into every result, so each score can be traced to the exact model that gave it.</summary>
    public string Version { get; init; } = "";

    public DateTimeOffset TrainedAt { get; init; }

    public int Seed { get; init; }

    public long Transactions { get; init; }

    public long FraudTransactions { get; init; }

    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>Area under the ROC curve on a held-out part of the training run.</summary>
    public double HoldoutAuc { get; init; }

    public string Trainer { get; init; } = "";

    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".json");

    public static ModelMetadata Read(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), ModelJsonContext.Default.ModelMetadata)
        ?? throw new InvalidDataException($"{path} holds no model metadata.");

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, ModelJsonContext.Default.ModelMetadata));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ModelMetadata))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
