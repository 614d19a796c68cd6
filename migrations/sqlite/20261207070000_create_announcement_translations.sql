-- Each player announcement in the other languages players read ([players] locales): the text as
-- that locale's template rendered it, with what the person typed for that language. The
-- game-status feed and the Atom feed carry them all; the Discord post in a locale's channel
-- records its message here.
CREATE TABLE announcement_translations (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    locale TEXT NOT NULL,
    content TEXT NOT NULL,
    message_id INTEGER,
    PRIMARY KEY (announcement_id, locale)
);
