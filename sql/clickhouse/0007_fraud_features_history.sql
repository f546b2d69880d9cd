-- Features that compare a payment with the user's habits (issue 5): how often the user paid from this device, in
-- this country, in this merchant category and at this hour, how long the device has been known, and how much
-- history these shares rest on. Added with defaults, so rows written before them read as "no history".
-- One statement, so that the columns arrive together (18.16 has no ADD COLUMN IF NOT EXISTS to make a rerun safe).

ALTER TABLE fraud_features
    ADD COLUMN history_count UInt32 DEFAULT 0 AFTER model_version,
    ADD COLUMN device_frequency Float64 DEFAULT 0 AFTER history_count,
    ADD COLUMN device_age_seconds Float64 DEFAULT 0 AFTER device_frequency,
    ADD COLUMN country_frequency Float64 DEFAULT 0 AFTER device_age_seconds,
    ADD COLUMN category_frequency Float64 DEFAULT 0 AFTER country_frequency,
    ADD COLUMN hour_frequency Float64 DEFAULT 0 AFTER category_frequency;
