-- orders: neither the parent index nor the partition's key.
CREATE TABLE orders (
    region text NOT NULL,
    id int NOT NULL
) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');

-- items: the partition keeps its key (and the foreign key onto it); the
-- parent index goes.
CREATE TABLE items (
    region text,
    id int
) PARTITION BY LIST (region);
CREATE TABLE items_eu PARTITION OF items (PRIMARY KEY (region, id)) FOR VALUES IN ('eu');

CREATE TABLE refs (
    region text,
    id int,
    CONSTRAINT refs_item FOREIGN KEY (region, id) REFERENCES items_eu (region, id)
);
