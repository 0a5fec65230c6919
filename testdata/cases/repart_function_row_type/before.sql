CREATE TABLE ev (id bigint NOT NULL, d date NOT NULL);
CREATE FUNCTION recent() RETURNS SETOF ev LANGUAGE sql AS $$ SELECT * FROM ev WHERE d > '2025-01-01' $$;
CREATE FUNCTION ev_label(e ev) RETURNS text LANGUAGE sql AS $$ SELECT e.id || '@' || e.d $$;
COMMENT ON FUNCTION ev_label(ev) IS 'one line per event';
CREATE VIEW recent_labels AS SELECT ev_label(r) AS label FROM recent() r;
INSERT INTO ev VALUES (1, '2024-03-01'), (2, '2025-06-01');
