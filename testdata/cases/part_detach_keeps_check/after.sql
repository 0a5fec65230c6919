CREATE TABLE m (id bigint NOT NULL, d date NOT NULL, v int, CONSTRAINT v_pos CHECK (v > 0)) PARTITION BY RANGE (d);
CREATE TABLE m_1 (id bigint NOT NULL, d date NOT NULL, v int, CONSTRAINT v_pos CHECK (v > 0));
INSERT INTO m_1 VALUES (1, '2024-03-01', 5);
