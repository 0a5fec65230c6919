CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;
CREATE TABLE public.users (id bigint PRIMARY KEY, email extensions.citext);
