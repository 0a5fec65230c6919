CREATE TABLE sessions (id bigint PRIMARY KEY);
INSERT INTO sessions SELECT g FROM generate_series(1, 20) g;
