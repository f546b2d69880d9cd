namespace StreamSentinel.Contracts.Tests;

public sealed class EventIdsTests
{
    [Test]
    public void Same_payment_gets_the_same_id_every_time()
    {
        var first = EventIds.For(Samples.Transaction());
        var second = EventIds.For(Samples.Transaction() with { EventId = "" });

        Assert.That(second, Is.EqualTo(first));
        Assert.That(first, Does.Match("^[0-9a-f]{64}$"));
    }

    [Test]
    public void Id_is_the_sha256_of_the_documented_canonical_form()
    {
        // Pinning the value guards the wire contract: other producers must be able to compute the same id.
        var canonical = string.Join('\u001f', "txn-000123", "user-42", "card-42-1", "merchant-7", "12.5", "EUR", "1795614307123");
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));

        Assert.That(EventIds.For(Samples.Transaction()), Is.EqualTo(expected));
    }

    [Test]
    public void Scale_of_the_amount_and_case_of_the_currency_do_not_matter()
    {
        var baseline = EventIds.For(Samples.Transaction());

        Assert.That(EventIds.For(Samples.Transaction() with { Amount = 12.5000m }), Is.EqualTo(baseline));
        Assert.That(EventIds.For(Samples.Transaction() with { Currency = "eur" }), Is.EqualTo(baseline));
    }

    [Test]
    public void Context_fields_do_not_change_the_id_but_identity_fields_do()
    {
        var baseline = EventIds.For(Samples.Transaction());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(EventIds.For(Samples.Transaction() with { DeviceId = "other", Latitude = 1, IngestedAt = DateTimeOffset.UnixEpoch }), Is.EqualTo(baseline));
            Assert.That(EventIds.For(Samples.Transaction() with { Amount = 12.51m }), Is.Not.EqualTo(baseline));
            Assert.That(EventIds.For(Samples.Transaction() with { TransactionId = "txn-000124" }), Is.Not.EqualTo(baseline));
            Assert.That(EventIds.For(Samples.Transaction() with { EventTime = Samples.Transaction().EventTime.AddMilliseconds(1) }), Is.Not.EqualTo(baseline));
        }
    }

    [Test]
    public void Field_boundaries_cannot_be_shifted_to_forge_a_collision()
    {
        var a = Samples.Transaction() with { UserId = "ab", CardId = "c" };
        var b = Samples.Transaction() with { UserId = "a", CardId = "bc" };

        Assert.That(EventIds.For(a), Is.Not.EqualTo(EventIds.For(b)));
    }

    [Test]
    public void Matches_agrees_with_the_id_computed_as_a_string()
    {
        // The check in place (validation) and the id as a string (the gateway) must be one function of the same bytes.
        var cases = new[]
        {
            Samples.Transaction(),
            Samples.Transaction() with { Currency = "eur", Amount = 0.0001m },
            Samples.Transaction() with { UserId = "ünïcødé-用户-🙂", MerchantId = "", Amount = 99_999_999_999_999.9999m },
            Samples.Transaction() with { TransactionId = new string('x', 2000), EventTime = DateTimeOffset.UnixEpoch.AddMilliseconds(-1) },
        };
        using (Assert.EnterMultipleScope())
        {
            foreach (var transaction in cases)
            {
                var canonical = string.Join(
                    '\u001f', transaction.TransactionId, transaction.UserId, transaction.CardId, transaction.MerchantId,
                    transaction.Amount.ToString("0.############################", System.Globalization.CultureInfo.InvariantCulture),
                    transaction.Currency.ToUpperInvariant(), transaction.EventTime.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
                Assert.That(EventIds.For(transaction), Is.EqualTo(expected));
                Assert.That(EventIds.Matches(transaction with { EventId = expected }), Is.True);
                Assert.That(EventIds.Matches(transaction with { EventId = expected[..63] + (expected[63] == '0' ? '1' : '0') }), Is.False);
                Assert.That(EventIds.Matches(transaction with { EventId = expected.ToUpperInvariant() }), Is.EqualTo(!expected.Any(char.IsAsciiLetterLower)));
            }
        }
    }
}
