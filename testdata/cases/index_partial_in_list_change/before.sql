-- A partial index predicate that PostgreSQL does not deparse to a fixed
-- point (IN list over varchar), written as a dump writes it.
CREATE TABLE jobs (
    id integer PRIMARY KEY,
    state varchar(20) NOT NULL
);
CREATE INDEX jobs_open_idx ON public.jobs USING btree (id) WHERE ((state)::text = ANY ((ARRAY['queued'::character varying, 'running'::character varying])::text[]));
