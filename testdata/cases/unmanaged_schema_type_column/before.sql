CREATE TABLE public.orders (id bigint PRIMARY KEY);
