CREATE TABLE products (
    id bigint PRIMARY KEY,
    price numeric(10,2) NOT NULL,
    CONSTRAINT products_price_check CHECK (price > 0 AND price < 1000000)
);
