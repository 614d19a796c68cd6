-- What each player announcement said about the incident when it was made: its systems (a JSON
-- array of names, in order) and its severity. The status page shows these, never the
-- incident's current fields, so a correction nobody announced changes nothing public.
-- Older rows take the incident's systems and severity as they stand now: the best there is.
ALTER TABLE announcements ADD COLUMN systems TEXT NOT NULL DEFAULT '[]';
ALTER TABLE announcements ADD COLUMN severity TEXT NOT NULL DEFAULT 'P3';
UPDATE announcements SET
    systems = (SELECT COALESCE(json_agg(s.name ORDER BY s.position), '[]'::json)::text
        FROM incident_systems s WHERE s.incident_id = announcements.incident_id),
    severity = (SELECT i.severity FROM incidents i WHERE i.id = announcements.incident_id);
