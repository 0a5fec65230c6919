CREATE TABLE accounts (
    id bigint PRIMARY KEY
);

CREATE TABLE "user" (
    id bigint PRIMARY KEY,
    "select" text,
    "from" date,
    "default" boolean DEFAULT true
);

CREATE TABLE "order" (
    id bigint PRIMARY KEY,
    "user" bigint NOT NULL REFERENCES "user" (id),
    "group" text,
    "limit" integer CHECK ("limit" > 0),
    "table" text
);

CREATE INDEX "order_user_group" ON "order" ("user", "group");

CREATE VIEW "where" AS SELECT "user", "group" AS "column" FROM "order";
