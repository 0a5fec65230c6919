CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    weight_grams integer
);
