-- Facts that can be corrected after declare, and what telling players on purpose needs.

-- When the problem began (Unix ms): phase budgets, the time to resolve and the post-mortem count
-- from it. NULL on rows written before it existed, which read it as their declaration.
ALTER TABLE incidents ADD COLUMN detected_at BIGINT;
UPDATE incidents SET detected_at = declared_at;

-- The last ETA given: a time (from a duration such as 45m), or words shown as typed.
ALTER TABLE incidents ADD COLUMN eta_at BIGINT;
ALTER TABLE incidents ADD COLUMN eta_text TEXT;

-- An announcement that was never posted and never will be: its incident became a security one.
ALTER TABLE announcements ADD COLUMN withdrawn_at BIGINT;

-- Each time the bot changed a channel's name or topic, for Discord's limit of 2 in 10 minutes
-- per channel, which a rename job waits out instead of being refused.
CREATE TABLE channel_relabels (
    channel_id BIGINT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX channel_relabels_by_channel ON channel_relabels (channel_id, at);
