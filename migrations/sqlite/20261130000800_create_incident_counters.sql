-- The last incident number given in each guild. Declaring raises it and reads it back in one
-- statement (INSERT … ON CONFLICT DO UPDATE … RETURNING), whose row lock lasts until the
-- commit: two processes declaring at once on one database cannot both take MAX(number) + 1.
CREATE TABLE incident_counters (
    guild_id    INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
INSERT INTO incident_counters (guild_id, last_number)
    SELECT guild_id, MAX(number) FROM incidents GROUP BY guild_id;
