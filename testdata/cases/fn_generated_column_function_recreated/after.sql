CREATE FUNCTION net(gross numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT gross * 0.8';
CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, net numeric GENERATED ALWAYS AS (net(price)) STORED);
CREATE INDEX items_net ON items (net);
