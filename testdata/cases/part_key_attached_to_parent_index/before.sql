-- Partition keys of their own, attached to a plain unique index of the
-- parent (not a key of the parent): PostgreSQL makes each key depend on
-- the parent index.
CREATE TABLE orders (
    region text NOT NULL,
    id int NOT NULL
) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE UNIQUE INDEX orders_region_id ON ONLY orders (region, id);
CREATE UNIQUE INDEX orders_eu_pkey ON orders_eu (region, id);
ALTER TABLE orders_eu ADD CONSTRAINT orders_eu_pkey PRIMARY KEY USING INDEX orders_eu_pkey;
ALTER INDEX orders_region_id ATTACH PARTITION orders_eu_pkey;

CREATE TABLE items (
    region text,
    id int
) PARTITION BY LIST (region);
CREATE TABLE items_eu PARTITION OF items FOR VALUES IN ('eu');
CREATE UNIQUE INDEX items_region_id ON ONLY items (region, id);
CREATE UNIQUE INDEX items_eu_pkey ON items_eu (region, id);
ALTER TABLE items_eu ADD CONSTRAINT items_eu_pkey PRIMARY KEY USING INDEX items_eu_pkey;
ALTER INDEX items_region_id ATTACH PARTITION items_eu_pkey;

CREATE TABLE refs (
    region text,
    id int,
    CONSTRAINT refs_item FOREIGN KEY (region, id) REFERENCES items_eu (region, id)
);
