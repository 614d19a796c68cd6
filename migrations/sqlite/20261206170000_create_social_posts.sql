-- Each player announcement as a post on a social network (Mastodon, Bluesky, X). The row is
-- written with the announcement, its key (the Idempotency-Key, or Bluesky's record key) made
-- once then, before any call; what the network gave back (the post's id, Bluesky's cid) is what
-- later posts of the incident reply to, so that each network has one thread per incident.
CREATE TABLE social_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    network TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    post_key TEXT NOT NULL,
    first_tried_at INTEGER,
    remote_id TEXT,
    remote_cid TEXT,
    posted_at INTEGER,
    cancelled_at INTEGER,
    skipped TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (announcement_id, network)
);
CREATE INDEX social_posts_by_incident ON social_posts (incident_id, network);
-- A network's login kept between posts and restarts (Bluesky limits logins a day): its tokens,
-- as the adapter stores them.
CREATE TABLE social_sessions (
    network TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
