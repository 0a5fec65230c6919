CREATE TABLE public.addresses (id bigint PRIMARY KEY, country text);
