CREATE TABLE metrics (
    at timestamptz NOT NULL,
    host text,
    value double precision
) PARTITION BY RANGE (at);
CREATE INDEX metrics_host_at ON metrics (host, at);

-- Not yet a partition; it has an index of the parent index's definition
-- that the source keeps as an index of its own.
CREATE TABLE metrics_2026 (
    at timestamptz NOT NULL,
    host text,
    value double precision
);
CREATE INDEX metrics_2026_local ON metrics_2026 (host, at);
