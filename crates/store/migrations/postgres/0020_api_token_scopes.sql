-- API tokens get scopes and an expiry. Tokens made before this keep what the
-- browser extension needs (the live feed and click-to-call) and the default
-- lifetime of 90 days, counted from this migration.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'dial calls:read';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens
SET expires_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) + 90 * 86400000::BIGINT;
