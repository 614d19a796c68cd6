-- Alerts from monitoring webhooks, and the triage cards they post.
-- A card is one group of one source (Alertmanager's groupKey) seen within the dedup window.
CREATE TABLE alert_cards (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    group_key TEXT NOT NULL,
    title TEXT NOT NULL,
    system TEXT,
    link TEXT,
    started_at INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    -- Occurrences received: a new alert, or a new firing of one seen before.
    count INTEGER NOT NULL,
    -- Alerts of the card firing now.
    firing INTEGER NOT NULL,
    resolved_at INTEGER,
    channel_id INTEGER,
    message_id INTEGER,
    incident_id INTEGER REFERENCES incidents (id),
    declared_by INTEGER,
    dismissed_by INTEGER,
    dismissed_reason TEXT
);
CREATE INDEX alert_cards_by_group ON alert_cards (source, group_key, last_seen);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES alert_cards (id),
    dedup_key TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    count INTEGER NOT NULL,
    UNIQUE (card_id, dedup_key)
);
