CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE FUNCTION is_positive(val numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT val > 0';
ALTER TABLE items ADD CONSTRAINT price_positive CHECK (is_positive(price));
CREATE INDEX items_positive ON items (is_positive(price));
