CREATE TABLE "Order Lines" (
    "Order Id" bigint NOT NULL,
    "Line No" integer NOT NULL,
    "Qty" integer NOT NULL,
    CONSTRAINT "Order Lines PK" PRIMARY KEY ("Order Id", "Line No")
);
