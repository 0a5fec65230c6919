CREATE TABLE line_items (
    id bigint PRIMARY KEY,
    quantity numeric(10,3) NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    total numeric GENERATED ALWAYS AS (quantity * unit_price) STORED
);
