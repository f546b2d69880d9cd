using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace StreamSentinel.Simulation.Synthetic;

/// <summary>A valid message, serialized, then changed as JSON: how every poison kind is built from a good one.</summary>
internal static class JsonMutation
{
    public static byte[] Json<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    public static byte[] Mutate<T>(T value, JsonTypeInfo<T> typeInfo, Action<JsonObject> change)
    {
        var node = JsonNode.Parse(Json(value, typeInfo))!.AsObject();
        change(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
