CREATE TABLE customers (
    id bigint PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE invoices (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL DEFAULT 0 REFERENCES customers (id) ON DELETE SET DEFAULT ON UPDATE RESTRICT,
    billed_to bigint REFERENCES customers (id) ON DELETE RESTRICT ON UPDATE NO ACTION
);
