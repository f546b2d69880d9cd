using System.Text.Json.Serialization;

namespace StreamSentinel.Contracts;

/// <summary>Where a card payment was made.</summary>
public enum Channel
{
    [JsonStringEnumMemberName("POS")] PointOfSale = 1,
    [JsonStringEnumMemberName("ECOMMERCE")] ECommerce = 2,
    [JsonStringEnumMemberName("ATM")] Atm = 3,
    [JsonStringEnumMemberName("MOBILE")] Mobile = 4,
}
