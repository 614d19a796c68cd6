-- Each incident's page outside Discord (PagerDuty, ntfy): which round of paging it is in (the
-- dedup key carries it, so a resolved page triggers anew under a new key), whether that round
-- was resolved, which services it went to, and who acknowledged it in PagerDuty (escalation inside Discord stops then).
CREATE TABLE incident_pages (
    incident_id INTEGER NOT NULL PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    services TEXT NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT
);
