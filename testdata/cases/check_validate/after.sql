CREATE TABLE shipments (
    id bigint PRIMARY KEY,
    weight_grams integer,
    CONSTRAINT shipments_weight_positive CHECK (weight_grams > 0)
);

COMMENT ON CONSTRAINT shipments_weight_positive ON shipments IS 'Validated after the backfill';
