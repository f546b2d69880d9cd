-- The console's key ring (ASP.NET Core data protection): the keys that sign and encrypt session cookies, shared by
-- every console instance so that a cookie one of them issued is good at all of them (several behind a load
-- balancer, and across restarts). Rows are XML documents the framework writes and reads; it never updates them.
CREATE TABLE console_key_ring (
    id            INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name TEXT,
    xml           TEXT
);

GRANT SELECT, INSERT ON console_key_ring TO stream_sentinel_analyst;
