-- A fix is verified before the all-clear: `resolved_at` is when the fix went in, `verified_at`
-- when it was confirmed to hold. A resolved incident without `verified_at` is being verified.
ALTER TABLE incidents ADD COLUMN verified_at INTEGER;
-- Incidents resolved before verification existed count as verified when they were resolved.
UPDATE incidents SET verified_at = resolved_at
    WHERE status IN ('resolved', 'closed') AND resolved_at IS NOT NULL;

-- A reopened incident enters phase 4 again, so a phase may have several spans: each is kept,
-- in order, by its position.
CREATE TABLE incident_phase_spans (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    phase       INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    PRIMARY KEY (incident_id, position)
);
INSERT INTO incident_phase_spans (incident_id, position, phase, started_at, ended_at)
    SELECT incident_id,
           ROW_NUMBER() OVER (PARTITION BY incident_id ORDER BY started_at, phase) - 1,
           phase, started_at, ended_at
    FROM incident_phases;
DROP TABLE incident_phases;
