-- The same index and check as a dump writes them (pg_get_indexdef of
-- before.sql); reloaded, that text deparses with the cast inside each
-- element. A comment makes the one real change.
CREATE TABLE jobs (
    id integer PRIMARY KEY,
    state varchar(20) NOT NULL,
    CONSTRAINT jobs_state_check CHECK (((state)::text = ANY ((ARRAY['queued'::character varying, 'running'::character varying, 'done'::character varying])::text[])))
);
CREATE INDEX jobs_open_idx ON public.jobs USING btree (id) WHERE ((state)::text = ANY ((ARRAY['queued'::character varying, 'running'::character varying])::text[]));
COMMENT ON TABLE jobs IS 'reloaded from a dump';
