CREATE TABLE measurements (
    region text NOT NULL,
    reading numeric
) PARTITION BY LIST (region);
CREATE TABLE measurements_eu PARTITION OF measurements FOR VALUES IN ('eu');
CREATE TABLE measurements_us PARTITION OF measurements FOR VALUES IN ('us');
GRANT SELECT ON measurements TO sec_reader;
