CREATE TABLE addr (city text, zip text);
CREATE STATISTICS addr_lower ON lower(city), zip FROM addr;
