CREATE DOMAIN label AS text NOT NULL;
CREATE TABLE tags (l label);
