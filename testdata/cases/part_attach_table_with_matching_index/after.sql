CREATE TABLE metrics (
    at timestamptz NOT NULL,
    host text,
    value double precision
) PARTITION BY RANGE (at);
CREATE TABLE metrics_2026 PARTITION OF metrics FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- Attached to the parent index: metrics_2026_host_at_idx.
CREATE INDEX metrics_host_at ON metrics (host, at);
-- Its own index, not attached.
CREATE INDEX metrics_2026_local ON metrics_2026 (host, at);
