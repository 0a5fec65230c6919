CREATE TABLE orders (id int PRIMARY KEY, qty int, CONSTRAINT orders_qty_positive CHECK (qty > 0) NOT ENFORCED);
