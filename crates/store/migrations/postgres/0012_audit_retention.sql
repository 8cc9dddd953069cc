-- The audit log is pruned by age (ingest's housekeeping); the index keeps
-- that delete from scanning every row.
CREATE INDEX audit_log_at ON audit_log (at);
