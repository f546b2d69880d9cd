using System.Text;
using System.Text.Json;
using StreamSentinel.Contracts.Privacy;
using StreamSentinel.Contracts.Serialization;

namespace StreamSentinel.Contracts.Tests;

public sealed class CardNumbersTests
{
    [TestCase("4111111111111111", true)]
    [TestCase("4111 1111 1111 1111", true)]
    [TestCase("4111-1111-1111-1111", true)]
    [TestCase("378282246310005", true)] // Amex, 15 digits
    [TestCase("6011111111111117", true)]
    [TestCase("4222222222222", true)] // 13 digits
    [TestCase("4111111111111112", false)] // fails Luhn
    [TestCase("411111111111", false)] // 12 digits
    [TestCase("41111111111111111113", false)] // 20 digits
    [TestCase("card-42-1", false)]
    [TestCase("c-4111111111111111", false)] // a reference that contains digits is not a PAN by itself
    [TestCase("4111_1111_1111_1111", false)]
    [TestCase("", false)]
    public void A_pan_is_13_to_19_digits_grouped_by_spaces_or_dashes_passing_luhn(string value, bool expected) =>
        Assert.That(CardNumbers.LooksLikePan(value), Is.EqualTo(expected));

    [Test]
    public void Masking_keeps_the_last_four_digits_and_the_separators_only()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CardNumbers.Mask("4111 1111 1111 1111"), Is.EqualTo("**** **** **** 1111"));
            Assert.That(CardNumbers.Mask("card 4111111111111111 refused"), Is.EqualTo("card ************1111 refused"));
            Assert.That(CardNumbers.Mask("order 4111111111111112"), Is.EqualTo("order 4111111111111112"));
            Assert.That(CardNumbers.Mask("2026-11-25T10:00:00Z"), Is.EqualTo("2026-11-25T10:00:00Z"));
        }
    }

    [Test]
    public void A_payload_is_masked_in_its_strings_and_its_numbers_are_left_alone()
    {
        // 15 decimals that pass Luhn by themselves (858844300000001 is not a PAN, but a text scan would take it for one).
        var payload = Encoding.UTF8.GetBytes("""{"card_id":"4111-1111-1111-1111","nested":{"note":"paid with 5555555555554444"},"latitude":48.858844300000001,"list":["378282246310005"]}""");

        var masked = CardNumbers.MaskPayload(payload);

        Assert.That(masked, Is.Not.Null);
        using var document = JsonDocument.Parse(masked!);
        var root = document.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("card_id").GetString(), Is.EqualTo("****-****-****-1111"));
            Assert.That(root.GetProperty("nested").GetProperty("note").GetString(), Is.EqualTo("paid with ************4444"));
            Assert.That(root.GetProperty("list")[0].GetString(), Is.EqualTo("***********0005"));
            Assert.That(root.GetProperty("latitude").GetRawText(), Is.EqualTo("48.858844300000001"));
            Assert.That(Encoding.UTF8.GetString(masked!), Does.Not.Contain("4111"[..4] + "-1111-1111"));
            Assert.That(CardNumbers.MaskPayload("""{"card_id":"card-42-1"}"""u8), Is.Null, "nothing to mask: the original bytes are kept");
            Assert.That(Encoding.UTF8.GetString(CardNumbers.MaskPayload("not json 4111111111111111"u8)!), Is.EqualTo("not json ************1111"));
        }
    }

    [Test]
    public void A_transaction_with_a_pan_as_card_id_is_refused_without_echoing_it()
    {
        var reader = ContractReaders.Intake();
        var json = JsonSerializer.SerializeToUtf8Bytes(Samples.Transaction() with { EventId = "", CardId = "4111 1111 1111 1111" }, ContractsJsonContext.Default.Transaction);

        var read = reader.TryRead(json, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.False);
            Assert.That(error!.Code, Is.EqualTo("card_number"));
            Assert.That(error.Field, Is.EqualTo("card_id"));
            Assert.That(error.Detail, Does.Not.Contain("1111"));
        }
    }

    [Test]
    public void A_pan_in_another_field_is_masked_in_the_error()
    {
        var error = ContractValidation.Validate(Samples.Transaction() with { MerchantCategory = "4111111111111111" });

        Assert.That(error!.Detail, Does.Contain("************").And.Not.Contain("411111111111"));
    }
}
