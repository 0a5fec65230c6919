CREATE TYPE floatrange AS RANGE (subtype = float8);
COMMENT ON TYPE floatrange IS 'closed-open float ranges';
CREATE TABLE items (id integer PRIMARY KEY, span floatrange);
