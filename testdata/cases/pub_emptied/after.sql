CREATE TABLE orders (id int PRIMARY KEY, status text, total numeric, note text);
CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE PUBLICATION sales;
