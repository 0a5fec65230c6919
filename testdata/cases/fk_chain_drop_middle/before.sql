CREATE TABLE a_regions (id integer PRIMARY KEY);
CREATE TABLE b_stores (id integer PRIMARY KEY, region_id integer NOT NULL REFERENCES a_regions (id));
CREATE TABLE c_staff (id integer PRIMARY KEY, store_id integer REFERENCES b_stores (id));
