CREATE TABLE orders (
    id bigint PRIMARY KEY
);

CREATE TABLE "Order Lines" (
    "Order Id" bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    "Line No" integer NOT NULL,
    "Unit Price" numeric(10,2) NOT NULL CHECK ("Unit Price" >= 0),
    CONSTRAINT "Order Lines PK" PRIMARY KEY ("Order Id", "Line No")
);

CREATE INDEX "Order Lines by price" ON "Order Lines" ("Unit Price" DESC);

CREATE VIEW "Expensive Lines" AS
    SELECT "Order Id", "Line No" FROM "Order Lines" WHERE "Unit Price" > 100;
