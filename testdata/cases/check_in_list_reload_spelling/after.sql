-- The same constraints as a dump writes them (pg_get_constraintdef of
-- before.sql), plus a comment so that there is a change to make.
CREATE TABLE series_type (
    id integer PRIMARY KEY,
    entity_type varchar(50) NOT NULL,
    CONSTRAINT allowed_series_entity_type CHECK (((entity_type)::text = ANY ((ARRAY['artist'::character varying, 'event'::character varying, 'release_group'::character varying])::text[])))
);

CREATE DOMAIN entity_kind AS varchar(50)
    CONSTRAINT entity_kind_check CHECK (((VALUE)::text = ANY ((ARRAY['artist'::character varying, 'event'::character varying])::text[])));

COMMENT ON TABLE series_type IS 'reloaded from a dump';
