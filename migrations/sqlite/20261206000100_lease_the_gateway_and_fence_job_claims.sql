-- Which replica owns the Discord gateway, by lease (PostgreSQL only: on SQLite one process
-- owns it without asking, and this table stays empty; it exists so both schemas match).
CREATE TABLE gateway_leases (
    lock_key    INTEGER PRIMARY KEY,
    epoch       INTEGER NOT NULL,
    holder      TEXT NOT NULL,
    holder_pid  INTEGER NOT NULL,
    renewed_at  INTEGER NOT NULL
);
-- Each claim on a job draws a new token; a worker writes the job's outcome, or renews its
-- claim, only while its token is still the job's: a worker whose claim ran out (its process
-- hung) and was taken by another does nothing more.
ALTER TABLE jobs ADD COLUMN claim_token INTEGER;
