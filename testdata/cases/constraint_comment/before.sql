CREATE TABLE products (
    id bigint PRIMARY KEY,
    price numeric NOT NULL CONSTRAINT products_price_nonneg CHECK (price >= 0)
);
