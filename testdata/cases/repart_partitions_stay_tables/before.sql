CREATE TABLE regions (code text PRIMARY KEY);
CREATE TABLE readings (
    region text NOT NULL REFERENCES regions (code),
    taken_at timestamptz NOT NULL,
    value numeric,
    UNIQUE (region, taken_at)
) PARTITION BY LIST (region);
CREATE TABLE readings_north PARTITION OF readings FOR VALUES IN ('north');
CREATE TABLE readings_south PARTITION OF readings FOR VALUES IN ('south');
CREATE INDEX readings_value ON readings (value);
INSERT INTO regions VALUES ('north'), ('south');
INSERT INTO readings VALUES ('north', '2026-01-01', 1), ('south', '2026-01-02', 2);
