CREATE TABLE items (id integer PRIMARY KEY);
CREATE DOMAIN cents AS bigint CHECK (VALUE >= 0);
CREATE TYPE price AS (currency char(3), amount cents);
CREATE TYPE line AS (sku text, unit price, qty integer);
CREATE TABLE orders (id integer PRIMARY KEY, first_line line);
