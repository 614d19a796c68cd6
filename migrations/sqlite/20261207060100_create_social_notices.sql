-- The 🛠️ maintenance notices players read in the announcement channel, also posted on each
-- social network: one thread per window, a row per notice (the job that told players) and
-- network, with the key made before the first call and what the network gave back.
CREATE TABLE social_notices (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    window_id      INTEGER NOT NULL REFERENCES maintenance_windows (id),
    job_id         INTEGER NOT NULL,
    network        TEXT NOT NULL,
    body           TEXT NOT NULL,
    link           TEXT,
    post_key       TEXT NOT NULL,
    first_tried_at INTEGER,
    remote_id      TEXT,
    remote_cid     TEXT,
    posted_at      INTEGER,
    skipped        TEXT,
    created_at     INTEGER NOT NULL,
    UNIQUE (job_id, network)
);
CREATE INDEX social_notices_by_window ON social_notices (window_id, network);
