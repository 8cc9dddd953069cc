CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    kind            TEXT NOT NULL,
    key             TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    worker          TEXT,
    last_error      TEXT,
    result          TEXT,
    updated_at      BIGINT NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX outbox_due ON outbox (kind, status, next_attempt_at);
