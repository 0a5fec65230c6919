CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (id int, customer_id int, CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers) PARTITION BY RANGE (id);
CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM (0) TO (1000);
