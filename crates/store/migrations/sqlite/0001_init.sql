-- Times are epoch milliseconds (INTEGER) so both backends store them alike.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE pbx_event_journal (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pbx         TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    call_id     TEXT,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL
);
CREATE INDEX pbx_event_journal_call ON pbx_event_journal (pbx, call_id);

CREATE TABLE pbx_stream (
    pbx           TEXT PRIMARY KEY,
    checkpoint_at INTEGER NOT NULL
);

