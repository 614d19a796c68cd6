-- What a job given up for lack of a permission was refused, as data (JSON of the domain's
-- `Forbidden`: what the bot tried, where, and what to grant), worded only where people read
-- it. `last_error` keeps the redacted cause chain for operators. Rows from before this keep
-- `forbidden` = 1 with their old sentence and no refusal: they read back as a plain error.
ALTER TABLE jobs ADD COLUMN refusal TEXT;
