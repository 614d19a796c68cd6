-- Checklist steps people ticked: one row per ticked step of a phase's checklist; undoing a tick
-- deletes its row. Steps are keyed by the id the config gives them, so a tick survives an edit
-- of the step's wording or order; the wording at the time is kept for summaries, in case the
-- step is removed from the config later.
CREATE TABLE checklist_ticks (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    phase       INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 5),
    step        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    ticked_by   INTEGER NOT NULL,
    ticked_at   INTEGER NOT NULL,
    PRIMARY KEY (incident_id, phase, step)
);
