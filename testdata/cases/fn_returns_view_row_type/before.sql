CREATE TABLE articles_t (id integer PRIMARY KEY, body text);
