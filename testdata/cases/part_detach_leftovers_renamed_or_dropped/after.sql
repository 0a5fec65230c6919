CREATE TABLE r (id int PRIMARY KEY);
CREATE TABLE m (id bigint NOT NULL, d date NOT NULL, v int, w int,
  CONSTRAINT m_pkey PRIMARY KEY (id, d),
  CONSTRAINT m_v_d_key UNIQUE (v, d),
  CONSTRAINT v_pos CHECK (v > 0),
  CONSTRAINT w_small CHECK (w < 100),
  CONSTRAINT m_r FOREIGN KEY (v) REFERENCES r (id)) PARTITION BY RANGE (d);
CREATE TABLE m_1 (id bigint NOT NULL, d date NOT NULL, v int, w int,
  CONSTRAINT m_1_pk PRIMARY KEY (id, d),
  CONSTRAINT v_positive CHECK (v > 0),
  CONSTRAINT m_r FOREIGN KEY (v) REFERENCES r (id));
INSERT INTO r VALUES (5);
INSERT INTO m_1 VALUES (1, '2024-03-01', 5, 7);
