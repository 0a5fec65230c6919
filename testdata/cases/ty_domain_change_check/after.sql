CREATE DOMAIN score AS integer CONSTRAINT score_range CHECK (VALUE BETWEEN 0 AND 100);
CREATE TABLE results (s score);
