-- An IN list over a varchar column: PostgreSQL deparses it as an array
-- cast to text[], and that text reloads with the cast inside each element.
CREATE TABLE series_type (
    id integer PRIMARY KEY,
    entity_type varchar(50) NOT NULL,
    CONSTRAINT allowed_series_entity_type CHECK (entity_type IN ('artist', 'event', 'release_group'))
);

CREATE DOMAIN entity_kind AS varchar(50)
    CONSTRAINT entity_kind_check CHECK (VALUE IN ('artist', 'event'));
