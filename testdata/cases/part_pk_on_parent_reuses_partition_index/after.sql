-- A primary key on the parent: the partitions' matching indexes become its
-- partition indexes, under the names they had.
CREATE TABLE orders (id bigint NOT NULL, region text NOT NULL, total numeric) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
CREATE UNIQUE INDEX orders_eu_id_region_idx ON orders_eu (id, region);
CREATE UNIQUE INDEX orders_us_id_region_idx ON orders_us (id, region);
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id, region);
