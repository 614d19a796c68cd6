-- Each ticket the bot opened in the issue tracker: the incident's own ('ticket') and one per
-- post-mortem action item ('action:<postmortem_actions.id>'). Recorded once the tracker
-- answered; a job that lost the answer finds the ticket again by the marker in its text.
CREATE TABLE tracker_tickets (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    item TEXT NOT NULL,
    ticket_key TEXT NOT NULL,
    url TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, item)
);
