-- When a publish of the announcement began: the slot of the hourly budget is taken from then,
-- so that a crash between Discord's crosspost and recording it never lets another publish take
-- the same slot.
ALTER TABLE announcements ADD COLUMN publish_started_at BIGINT;
UPDATE announcements SET publish_started_at = published_at WHERE published_at IS NOT NULL;
