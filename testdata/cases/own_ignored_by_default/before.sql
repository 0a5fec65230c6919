CREATE TABLE t (id int);
ALTER TABLE t OWNER TO sec_admin;
