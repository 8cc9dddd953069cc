-- Recording links seen (issued, or opened for the first time) and revocations.
CREATE TABLE recording_links (
    id         TEXT PRIMARY KEY,
    call_key   TEXT NOT NULL,
    recording  TEXT,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX recording_links_call ON recording_links (call_key);
CREATE INDEX recording_links_issued ON recording_links (issued_at);

-- A call's links revoked all at once, remembered or not: those issued up to revoked_at.
CREATE TABLE recording_revoked_calls (
    call_key   TEXT PRIMARY KEY,
    revoked_at BIGINT NOT NULL
);
