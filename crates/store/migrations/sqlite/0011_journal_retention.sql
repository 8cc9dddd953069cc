-- The PBX event journal is pruned by age (ingest's retention); the index
-- keeps that delete from scanning every row.
CREATE INDEX pbx_event_journal_received ON pbx_event_journal (received_at);
