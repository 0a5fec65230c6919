CREATE TABLE readings (
    id bigint PRIMARY KEY,
    value numeric(8,3)
);
