CREATE TABLE public.items (id bigint PRIMARY KEY, name text DEFAULT utils.norm('New'));
CREATE FUNCTION public.item_pair(n utils.posint) RETURNS utils.pair
    LANGUAGE sql STABLE AS $$ SELECT ROW(n, utils.norm('x'))::utils.pair $$;
CREATE VIEW public.item_names AS SELECT id, utils.norm(name) AS name FROM public.items;
