-- The state of each [[status.webhooks]] entry, by its name: its failed attempts in a row, and
-- when it was turned off for failing (an operator turns it back on: see docs/status-page.md).
-- A name with no row is on and has not failed.
CREATE TABLE status_webhooks (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    off_at INTEGER,
    updated_at INTEGER NOT NULL
);
-- Each delivery of a public change to one webhook, written with the change (before any call):
-- its id and creation time make the X-Incident-Bot-Delivery id a receiver de-duplicates by, so
-- a retry after a lost answer carries the same id. The body is fixed at the first attempt;
-- subject is the Statuspage id of the incident or maintenance ('*': everything public, when a
-- webhook is turned back on). Deliveries of one webhook go out in id order.
CREATE TABLE status_webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    first_tried_at INTEGER,
    sent_at INTEGER,
    skipped TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX status_webhook_deliveries_by_webhook ON status_webhook_deliveries (webhook, id);
CREATE INDEX status_webhook_deliveries_by_subject ON status_webhook_deliveries (webhook, subject, sent_at);
