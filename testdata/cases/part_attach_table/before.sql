CREATE TABLE measurements (id bigint NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2024 (id bigint NOT NULL, taken date NOT NULL, value numeric);
