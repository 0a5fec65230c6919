CREATE TABLE measurements (
    region text NOT NULL,
    reading numeric
) PARTITION BY LIST (region);
CREATE TABLE measurements_eu PARTITION OF measurements FOR VALUES IN ('eu');
CREATE TABLE measurements_us PARTITION OF measurements FOR VALUES IN ('us');
GRANT SELECT ON measurements TO sec_reader;
-- A partition can be read by name: its own grants are privileges too.
GRANT SELECT, INSERT ON measurements_eu TO sec_writer;
GRANT SELECT (region) ON measurements_us TO sec_writer;
