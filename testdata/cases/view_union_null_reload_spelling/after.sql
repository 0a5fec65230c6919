-- The same views as a dump writes them (pg_get_viewdef of before.sql),
-- plus a comment so that there is a change to make.
CREATE TABLE release_country (release integer, country integer);
CREATE TABLE release_unknown_country (release integer);

CREATE VIEW release_event AS
 SELECT q.release,
    q.country
   FROM ( SELECT release_country.release,
            release_country.country
           FROM public.release_country
        UNION ALL
         SELECT release_unknown_country.release,
            NULL::integer
           FROM public.release_unknown_country) q;

CREATE MATERIALIZED VIEW release_event_mat AS
 SELECT q.release,
    q.country
   FROM ( SELECT release_country.release,
            release_country.country
           FROM public.release_country
        UNION ALL
         SELECT release_unknown_country.release,
            NULL::integer
           FROM public.release_unknown_country) q;

COMMENT ON TABLE release_country IS 'reloaded from a dump';
