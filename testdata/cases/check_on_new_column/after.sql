CREATE TABLE loans (
    id bigint PRIMARY KEY,
    principal numeric(12,2) NOT NULL,
    rate numeric(5,4) CHECK (rate >= 0 AND rate < 1)
);
