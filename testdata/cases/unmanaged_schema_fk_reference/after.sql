CREATE TABLE public.addresses (
    id bigint PRIMARY KEY,
    country text REFERENCES ref.countries (code),
    region int REFERENCES ref.regions (id)
);
