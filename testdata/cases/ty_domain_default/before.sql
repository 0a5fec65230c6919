CREATE DOMAIN status_code AS smallint;
CREATE TABLE calls (code status_code);
