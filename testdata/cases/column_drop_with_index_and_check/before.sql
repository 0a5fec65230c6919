CREATE TABLE products (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    weight_kg numeric(8,3),
    CONSTRAINT products_weight_positive CHECK (weight_kg > 0)
);

CREATE INDEX products_weight_idx ON products (weight_kg) WHERE weight_kg IS NOT NULL;
