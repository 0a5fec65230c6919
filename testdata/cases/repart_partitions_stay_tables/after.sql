CREATE TABLE regions (code text PRIMARY KEY);
CREATE TABLE readings (
    region text NOT NULL REFERENCES regions (code),
    taken_at timestamptz NOT NULL,
    value numeric,
    UNIQUE (region, taken_at)
);
CREATE TABLE readings_north (
    region text NOT NULL,
    taken_at timestamptz NOT NULL,
    value numeric,
    UNIQUE (region, taken_at)
);
CREATE TABLE readings_south (
    region text NOT NULL REFERENCES regions (code),
    taken_at timestamptz NOT NULL,
    value numeric
);
CREATE INDEX readings_south_value ON readings_south (value);
