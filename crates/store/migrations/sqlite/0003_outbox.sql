CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    worker          TEXT,
    last_error      TEXT,
    result          TEXT,
    updated_at      INTEGER NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX outbox_due ON outbox (kind, status, next_attempt_at);
