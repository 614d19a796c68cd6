-- Why the bot did not send a runbook action's call, or does not know what became of it, as a
-- word (`not_configured`, `not_set_up`, `interrupted`), worded only where people read it;
-- `snippet` keeps only what the target answered. Rows from before this have the bot's old
-- sentence in `snippet` and no `why`: they read back as words said, as they were shown.
ALTER TABLE action_runs ADD COLUMN why TEXT;
ALTER TABLE maintenance_hook_runs ADD COLUMN why TEXT;
