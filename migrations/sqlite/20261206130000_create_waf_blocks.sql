-- What `/incident block` asked the WAF to block, one row per address or range: the entry's id
-- at the WAF once it exists (so that unblock and a retry after a crash find it), and when it
-- was blocked, asked to be unblocked (by hand or at `until`) and unblocked.
CREATE TABLE waf_blocks (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    target           TEXT    NOT NULL,
    note             TEXT,
    asked_by         INTEGER NOT NULL,
    asked_at         INTEGER NOT NULL,
    until_at         INTEGER,
    entry_id         TEXT,
    blocked_at       INTEGER,
    unblock_asked_at INTEGER,
    unblocked_by     INTEGER,
    unblocked_at     INTEGER
);
CREATE INDEX waf_blocks_by_incident ON waf_blocks (incident_id);
