CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE items (id integer PRIMARY KEY, name text COLLATE ci);
