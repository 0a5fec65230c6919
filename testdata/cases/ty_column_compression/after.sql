CREATE TABLE docs (id integer PRIMARY KEY, body text COMPRESSION pglz, extra text COMPRESSION pglz);
