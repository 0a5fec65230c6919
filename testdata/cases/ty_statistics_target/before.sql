CREATE TABLE addr (city text, zip text);
CREATE STATISTICS addr_city_zip ON city, zip FROM addr;
