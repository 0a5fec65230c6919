CREATE TABLE shops (code text PRIMARY KEY);
CREATE TABLE ledger (
  id serial,
  region text NOT NULL,
  channel text NOT NULL,
  shop text REFERENCES shops (code),
  amount integer,
  PRIMARY KEY (id, region, channel)
) PARTITION BY HASH (id);
CREATE INDEX ledger_shop_idx ON ledger (shop);
CREATE TABLE ledger_h0 PARTITION OF ledger FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE ledger_h1 PARTITION OF ledger FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE ledger_refunds (sale_id integer NOT NULL, region text NOT NULL, channel text NOT NULL,
  CONSTRAINT ledger_refunds_sale_fkey FOREIGN KEY (sale_id, region, channel) REFERENCES ledger (id, region, channel));
CREATE VIEW ledger_big AS SELECT id, region, amount FROM ledger WHERE amount > 10;
CREATE MATERIALIZED VIEW ledger_by_region AS SELECT region, sum(amount) AS amount FROM ledger GROUP BY region;
ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_positive ON ledger USING (amount >= 0);
CREATE FUNCTION ledger_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER ledger_touch BEFORE INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_touch();
COMMENT ON TABLE ledger IS 'ledger';
INSERT INTO shops VALUES ('s1');
INSERT INTO ledger (region, channel, shop, amount) VALUES ('eu', 'web', 's1', 5), ('us', 'shop', 's1', 50), ('eu', 'shop', NULL, 20);
INSERT INTO ledger_refunds SELECT id, region, channel FROM ledger WHERE amount = 50;
ANALYZE;
