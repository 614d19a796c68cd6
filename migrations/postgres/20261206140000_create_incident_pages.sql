-- Each incident's page outside Discord (PagerDuty, ntfy): which round of paging it is in (the
-- dedup key carries it, so a resolved page triggers anew under a new key), whether that round
-- was resolved, which services it went to, and who acknowledged it in PagerDuty (escalation inside Discord stops then).
CREATE TABLE incident_pages (
    incident_id BIGINT NOT NULL PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    services TEXT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT
);
