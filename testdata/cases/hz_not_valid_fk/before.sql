CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
INSERT INTO customers SELECT g FROM generate_series(1, 50) g;
INSERT INTO orders SELECT g, g FROM generate_series(1, 50) g;
