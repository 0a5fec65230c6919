CREATE TABLE ev (id bigint NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE ev_all PARTITION OF ev DEFAULT;
CREATE VIEW ev_recent AS SELECT id, d FROM ev WHERE d > '2025-01-01';
CREATE FUNCTION recent_count() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM ev_recent; END;
CREATE FUNCTION recent_rows() RETURNS SETOF ev_recent LANGUAGE sql AS $$ SELECT * FROM ev_recent $$;
CREATE VIEW ev_stats AS SELECT recent_count() AS recent;
INSERT INTO ev VALUES (1, '2024-03-01'), (2, '2025-06-01');
