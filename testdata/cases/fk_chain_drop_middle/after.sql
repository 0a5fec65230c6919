CREATE TABLE a_regions (id integer PRIMARY KEY);
CREATE TABLE c_staff (id integer PRIMARY KEY, store_id integer);
