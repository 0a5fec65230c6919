-- An unnamed NULL in a later UNION arm: PostgreSQL deparses it as
-- "NULL::integer", which reloads named after the cast ("AS int4").
CREATE TABLE release_country (release integer, country integer);
CREATE TABLE release_unknown_country (release integer);

CREATE VIEW release_event AS
    SELECT release, country
    FROM (
        SELECT release, country FROM release_country
        UNION ALL
        SELECT release, NULL FROM release_unknown_country
    ) AS q;

CREATE MATERIALIZED VIEW release_event_mat AS
    SELECT release, country
    FROM (
        SELECT release, country FROM release_country
        UNION ALL
        SELECT release, NULL FROM release_unknown_country
    ) AS q;
