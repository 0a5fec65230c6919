CREATE TABLE ev (id bigint NOT NULL, kind text NOT NULL, n int NOT NULL, CONSTRAINT ev_n_pos CHECK (n > 0), CONSTRAINT ev_id_pos CHECK (id > 0));
CREATE TABLE ev_a (id bigint NOT NULL, kind text NOT NULL, n int NOT NULL, CONSTRAINT ev_a_n_check CHECK (n > 0), CONSTRAINT ev_id_pos CHECK (id > 0));
CREATE TABLE ev_b (id bigint NOT NULL, kind text NOT NULL, n int NOT NULL);
INSERT INTO ev VALUES (3, 'c', 3);
INSERT INTO ev_a VALUES (1, 'a', 1);
INSERT INTO ev_b VALUES (2, 'b', 2);
