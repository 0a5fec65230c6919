CREATE TABLE shops (code text PRIMARY KEY);
CREATE TABLE sales (
  id serial,
  region text NOT NULL,
  channel text NOT NULL,
  shop text REFERENCES shops (code),
  amount integer,
  PRIMARY KEY (id, region, channel)
) PARTITION BY LIST (region);
CREATE INDEX sales_shop_idx ON sales (shop);
CREATE TABLE sales_eu PARTITION OF sales FOR VALUES IN ('eu');
CREATE TABLE sales_us PARTITION OF sales FOR VALUES IN ('us');
CREATE TABLE sales_refunds (sale_id integer NOT NULL, region text NOT NULL, channel text NOT NULL,
  CONSTRAINT sales_refunds_sale_fkey FOREIGN KEY (sale_id, region, channel) REFERENCES sales (id, region, channel));
CREATE VIEW sales_big AS SELECT id, region, amount FROM sales WHERE amount > 10;
CREATE MATERIALIZED VIEW sales_by_region AS SELECT region, sum(amount) AS amount FROM sales GROUP BY region;
ALTER TABLE sales ENABLE ROW LEVEL SECURITY;
CREATE POLICY sales_positive ON sales USING (amount >= 0);
CREATE FUNCTION sales_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER sales_touch BEFORE INSERT ON sales FOR EACH ROW EXECUTE FUNCTION sales_touch();
COMMENT ON TABLE sales IS 'sales';
INSERT INTO shops VALUES ('s1');
INSERT INTO sales (region, channel, shop, amount) VALUES ('eu', 'web', 's1', 5), ('us', 'shop', 's1', 50), ('eu', 'shop', NULL, 20);
INSERT INTO sales_refunds SELECT id, region, channel FROM sales WHERE amount = 50;
ANALYZE;
