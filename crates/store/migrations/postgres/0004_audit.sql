CREATE TABLE audit_log (
    id        BIGSERIAL PRIMARY KEY,
    at        BIGINT NOT NULL,
    system    TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    key       TEXT NOT NULL,
    remote_id TEXT,
    outcome   TEXT NOT NULL,
    error     TEXT
);
CREATE INDEX audit_log_key ON audit_log (key, id);
