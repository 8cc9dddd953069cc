-- Each agent's own Zoho grant from "Sign in with Zoho": the refresh token,
-- sealed like the other secrets (name "agent_grant:<account id>" as
-- associated data). A revoked grant keeps its row without the token: the
-- agent signed in with Zoho, so their lookups stay with their own eyes
-- (no CRM details) instead of falling back to the org-wide view. It goes
-- with its account.
CREATE TABLE agent_grants (
    account_id      BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    crm_user_id     TEXT NOT NULL,
    email           TEXT NOT NULL,
    accounts_server TEXT NOT NULL,
    api_domain      TEXT NOT NULL,
    nonce           BYTEA,
    ciphertext      BYTEA,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX agent_grants_user ON agent_grants (crm_user_id);
