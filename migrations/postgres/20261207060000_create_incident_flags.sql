-- `/incident flag`: what the game client should turn off while an incident lasts
-- (`ranked_disabled`, `store_disabled`: names from `[players] flags`). A row per flag set;
-- clearing it deletes the row (the timeline keeps both).
CREATE TABLE incident_flags (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    set_by      BIGINT NOT NULL,
    set_at      BIGINT NOT NULL,
    PRIMARY KEY (incident_id, name)
);
