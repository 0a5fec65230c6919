CREATE TABLE products (
    id bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE VIEW all_products AS SELECT * FROM products;
