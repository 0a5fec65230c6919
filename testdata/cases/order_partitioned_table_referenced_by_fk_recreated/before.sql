CREATE TABLE orders (id integer NOT NULL, region text NOT NULL, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE TABLE shipments (id integer PRIMARY KEY, order_id integer, region text,
  FOREIGN KEY (order_id, region) REFERENCES orders (id, region));
CREATE TABLE eu_notes (id integer PRIMARY KEY, order_id integer, region text,
  FOREIGN KEY (order_id, region) REFERENCES orders_eu (id, region));
