CREATE TABLE items (id integer PRIMARY KEY);
CREATE DOMAIN "bıgınt" AS bigint;
CREATE TABLE "Ledger" ("Amount" "bıgınt" NOT NULL);
