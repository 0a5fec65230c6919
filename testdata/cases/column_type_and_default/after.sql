CREATE TABLE cart_items (
    id bigint PRIMARY KEY,
    quantity numeric(10,3) NOT NULL DEFAULT 1.0
);
