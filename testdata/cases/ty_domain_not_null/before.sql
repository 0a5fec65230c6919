CREATE DOMAIN label AS text;
CREATE TABLE tags (l label);
