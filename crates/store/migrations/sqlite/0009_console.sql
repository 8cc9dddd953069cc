-- The admin console's configuration: one JSON value per section (pbx, crm,
-- mode, settings); secrets live encrypted in `secrets`.
CREATE TABLE console_config (
    section    TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Extensions paired with a CRM user by hand (the rest match by e-mail).
CREATE TABLE console_user_overrides (
    extension     TEXT PRIMARY KEY,
    crm_user_id   TEXT NOT NULL,
    crm_user_name TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Bumped by every console change, so running nodes notice one cheaply.
CREATE TABLE console_revision (
    id       INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT INTO console_revision (id, revision) VALUES (1, 0);
