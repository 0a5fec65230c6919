-- A primary key on one partition only; PostgreSQL makes its column NOT
-- NULL there, and that NOT NULL goes again with the key.
CREATE TABLE events (id bigint, kind text, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE events_2025 ADD CONSTRAINT events_2025_pkey PRIMARY KEY (id);
