CREATE TABLE products (
    id bigint PRIMARY KEY,
    price numeric(10,2) NOT NULL,
    discount numeric(10,2) NOT NULL DEFAULT 0,
    CONSTRAINT products_discount_le_price CHECK (discount <= price)
);
