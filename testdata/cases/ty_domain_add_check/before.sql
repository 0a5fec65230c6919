CREATE DOMAIN positive AS integer;
CREATE TABLE stock (qty positive);
