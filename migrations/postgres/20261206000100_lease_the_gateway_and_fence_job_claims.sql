-- Which replica owns the Discord gateway, by lease: the owner renews its row every second, and
-- a standby takes the gateway over once the row has not been renewed for `[replicas] lease`,
-- by the database's clock (`renewed_at`, milliseconds since 1970). Each takeover bumps `epoch`;
-- `holder_pid` is the owner's lock connection, which a taker terminates when the owner hangs
-- with its advisory lock held.
CREATE TABLE gateway_leases (
    lock_key    BIGINT PRIMARY KEY,
    epoch       BIGINT NOT NULL,
    holder      TEXT NOT NULL,
    holder_pid  INTEGER NOT NULL,
    renewed_at  BIGINT NOT NULL
);
-- Each claim on a job draws a new token; a worker writes the job's outcome, or renews its
-- claim, only while its token is still the job's: a worker whose claim ran out (its process
-- hung) and was taken by another does nothing more.
ALTER TABLE jobs ADD COLUMN claim_token BIGINT;
