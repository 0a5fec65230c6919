CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    qty utils.posint NOT NULL DEFAULT 1,
    mood utils.mood,
    tags utils.posint[]
);
