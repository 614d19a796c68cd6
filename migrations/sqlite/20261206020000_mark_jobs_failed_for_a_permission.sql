-- Whether a job was given up for lack of a permission: `last_error` is then the bot's own
-- sentence saying what to grant, shown as written (its channel links work), where any other
-- error, which may quote Discord, is escaped. It used to be marked by a "🔒 " at the start of
-- `last_error`, which Discord's own text could begin with too; those rows lose the mark here.
ALTER TABLE jobs ADD COLUMN forbidden INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET forbidden = 1, last_error = substr(last_error, 3) WHERE last_error LIKE '🔒 %';
