-- The incident's public title in a players' language, as the person typed it with this
-- announcement (the translations form's titles). NULL: none typed with it; the game status
-- shows the newest one typed for the incident, else only the English title.
ALTER TABLE announcement_translations ADD COLUMN title TEXT;
