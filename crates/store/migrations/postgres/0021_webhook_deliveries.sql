-- Signed webhook deliveries accepted recently (hex SHA-256 of the body),
-- so a replay is recognised after a restart and on every node. Pruned by
-- age as new deliveries arrive.
CREATE TABLE webhook_deliveries (
    source      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (source, digest)
);
CREATE INDEX webhook_deliveries_accepted ON webhook_deliveries (accepted_at);
