CREATE TABLE orders (
    id bigint PRIMARY KEY
);

CREATE TYPE "Colour" AS ENUM ('Red', 'GREEN', 'blue');

CREATE TABLE "UPPER" (
    "ID" integer PRIMARY KEY,
    "MixedCase" text,
    "Colour" "Colour" DEFAULT 'GREEN',
    lower_case text
);

CREATE INDEX "UPPER_MixedCase_IDX" ON "UPPER" ("MixedCase");

CREATE SEQUENCE "UPPER_Seq";
