CREATE SCHEMA app;

CREATE TABLE public.events (
    id bigint PRIMARY KEY,
    payload text
);
CREATE INDEX events_payload_idx ON public.events (payload);

CREATE TABLE app.events (
    id bigint PRIMARY KEY,
    payload text
);
CREATE INDEX events_payload_idx ON app.events (payload);
