CREATE OPERATOR CLASS eq_ops FOR TYPE int USING btree AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int, int);
CREATE TABLE slots (id int PRIMARY KEY, n int NOT NULL, CONSTRAINT slots_n_excl EXCLUDE USING btree (n eq_ops WITH =));
