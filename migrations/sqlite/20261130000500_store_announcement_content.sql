-- The text of each player announcement as it went to the announcements channel, so the public
-- status page and its feeds serve exactly what players were told. Older rows keep NULL.
ALTER TABLE announcements ADD COLUMN content TEXT;
