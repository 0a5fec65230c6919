CREATE TABLE public.users (
    id bigint PRIMARY KEY,
    email extensions.citext NOT NULL,
    attrs extensions.hstore
);
CREATE UNIQUE INDEX users_email_key ON public.users (email);
CREATE FUNCTION public.user_by_email(e extensions.citext) RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT id FROM public.users WHERE email = e $$;
