CREATE TABLE addr (city text, zip text);
CREATE STATISTICS addr_city_zip (dependencies) ON city, zip FROM addr;
