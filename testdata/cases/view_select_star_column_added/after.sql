CREATE TABLE products (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    price numeric(10,2)
);

CREATE VIEW all_products AS SELECT * FROM products;
