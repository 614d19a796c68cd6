-- The translations forms between their steps (`translations:true` on `/incident update` and
-- `/incident announce`), by the id of the command that opened them. In the database, not in one
-- process, so that with HTTP interactions behind a load balancer the next form may reach any
-- replica. `body` is the draft as JSON, NULL once it expired (the typed text goes; the row
-- stays a day so that a late form is told it expired). Times in milliseconds since the epoch.
CREATE TABLE translation_drafts (
    id INTEGER PRIMARY KEY,
    body TEXT,
    opened_at INTEGER NOT NULL
);
