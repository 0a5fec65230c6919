CREATE TABLE ev (id bigint NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE ev_all PARTITION OF ev DEFAULT;
CREATE FUNCTION ev_ids(es ev[]) RETURNS bigint[] LANGUAGE sql AS $$ SELECT array_agg(x.id) FROM unnest(es) x $$;
INSERT INTO ev VALUES (1, '2024-03-01'), (2, '2025-06-01');
