CREATE TABLE cart_items (
    id bigint PRIMARY KEY,
    quantity integer NOT NULL DEFAULT 1
);
