CREATE TABLE things (
    id bigint PRIMARY KEY
);
CREATE SEQUENCE old_counter;
