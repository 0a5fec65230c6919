CREATE TABLE addr (city text, zip text);
CREATE STATISTICS addr_city_zip ON city, zip FROM addr;
ALTER STATISTICS addr_city_zip SET STATISTICS 500;
COMMENT ON STATISTICS addr_city_zip IS 'correlated';
