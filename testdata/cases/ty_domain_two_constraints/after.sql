CREATE DOMAIN email AS text CONSTRAINT email_at CHECK (VALUE LIKE '%@%') CONSTRAINT email_len CHECK (length(VALUE) < 255);
CREATE TABLE users (e email);
