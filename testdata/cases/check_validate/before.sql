CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    weight_grams integer
);

ALTER TABLE shipments
    ADD CONSTRAINT shipments_weight_positive CHECK (weight_grams > 0) NOT VALID;
