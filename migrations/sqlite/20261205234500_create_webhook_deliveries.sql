-- The digest of each signed webhook delivery taken, kept for [intake] replay_window: the same
-- signed bytes sent again within it are a replay (or the sender's retry) and change nothing.
CREATE TABLE webhook_deliveries (
    source TEXT NOT NULL,
    digest TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (source, digest)
);
CREATE INDEX webhook_deliveries_by_expiry ON webhook_deliveries (expires_at);
