-- Times are epoch milliseconds (INTEGER) so both backends store them alike.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    nonce      BYTEA NOT NULL,
    ciphertext BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE pbx_event_journal (
    id          BIGSERIAL PRIMARY KEY,
    pbx         TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    call_id     TEXT,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE INDEX pbx_event_journal_call ON pbx_event_journal (pbx, call_id);

CREATE TABLE pbx_stream (
    pbx           TEXT PRIMARY KEY,
    checkpoint_at BIGINT NOT NULL
);

