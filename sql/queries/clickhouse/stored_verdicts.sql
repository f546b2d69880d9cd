-- Which of a batch's verdicts alert_verdicts already holds: asked before every insert, so a batch of audit events read
-- again stores each verdict once. Placeholders (filled with ClickHouseLiteral): {verdict_ids}.
SELECT DISTINCT verdict_id
FROM alert_verdicts
WHERE verdict_id IN ({verdict_ids})
