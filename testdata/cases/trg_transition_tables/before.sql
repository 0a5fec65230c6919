CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL DEFAULT 0, updated_at timestamptz);

CREATE TABLE audit (at timestamptz, n bigint);
CREATE FUNCTION log_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit SELECT now(), count(*) FROM new_rows; RETURN NULL; END $$;
