-- Small facts the bot keeps about itself, such as the command definitions last registered.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
