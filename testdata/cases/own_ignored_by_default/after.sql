CREATE TABLE t (id int, extra int);
