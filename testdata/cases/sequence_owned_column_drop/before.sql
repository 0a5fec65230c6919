CREATE SEQUENCE invoice_number_seq START 1000;

CREATE TABLE invoices (
    id bigint PRIMARY KEY,
    number bigint NOT NULL DEFAULT nextval('invoice_number_seq')
);

ALTER SEQUENCE invoice_number_seq OWNED BY invoices.number;
