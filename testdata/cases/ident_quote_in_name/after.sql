CREATE TABLE orders (
    id bigint PRIMARY KEY
);

CREATE TABLE "quo""te" (
    "a""b" integer PRIMARY KEY,
    "it's" text,
    CONSTRAINT "chk ""ab"" positive" CHECK ("a""b" > 0)
);

CREATE INDEX "quo""te_idx" ON "quo""te" ("it's");

CREATE VIEW "quo""te view" AS SELECT "a""b", "it's" FROM "quo""te";
