CREATE TABLE items (id int PRIMARY KEY, price int NOT NULL, doubled int GENERATED ALWAYS AS (price * 2) VIRTUAL);
COMMENT ON COLUMN items.doubled IS 'computed when read';
