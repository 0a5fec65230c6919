CREATE TABLE "Order Lines" (
    "Order Id" bigint NOT NULL,
    "Line No" integer NOT NULL,
    "Qty" bigint NOT NULL DEFAULT 1,
    "Unit Price" numeric(10,2),
    CONSTRAINT "Order Lines PK" PRIMARY KEY ("Order Id", "Line No"),
    CONSTRAINT "Qty positive" CHECK ("Qty" > 0)
);
COMMENT ON COLUMN "Order Lines"."Unit Price" IS 'Net';
