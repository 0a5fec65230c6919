CREATE TABLE products (
    id bigint PRIMARY KEY,
    price numeric NOT NULL CONSTRAINT products_price_nonneg CHECK (price >= 0)
);
COMMENT ON CONSTRAINT products_price_nonneg ON products IS 'Free items are fine, negative prices are not';
COMMENT ON CONSTRAINT products_pkey ON products IS 'Surrogate key';
