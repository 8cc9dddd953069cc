-- The local phone directory: CRM records by their normalised numbers, so
-- caller matching needs no API call. `numbers` holds the record's E.164
-- keys separated by spaces (the CRM's own text is never stored rewritten).
-- Times are epoch milliseconds.
CREATE TABLE directory_records (
    module         TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    name           TEXT NOT NULL,
    company        TEXT,
    owner_id       TEXT,
    account_module TEXT,
    account_id     TEXT,
    modified_at    INTEGER NOT NULL,
    numbers        TEXT NOT NULL,
    PRIMARY KEY (module, record_id)
);

-- Per CRM module: changes seen up to `modified_at`; last full sync completed at `full_sync_at`.
CREATE TABLE directory_sync (
    module       TEXT PRIMARY KEY,
    modified_at  INTEGER,
    full_sync_at INTEGER
);

-- Numbers the CRM did not know, until when that answer is trusted.
CREATE TABLE directory_misses (
    number   TEXT PRIMARY KEY,
    until_at INTEGER NOT NULL
);
CREATE INDEX directory_misses_until ON directory_misses (until_at);
