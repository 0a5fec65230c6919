CREATE DOMAIN status_code AS smallint DEFAULT 200;
CREATE TABLE calls (code status_code);
