CREATE TABLE orders (
    id bigint PRIMARY KEY
);

CREATE TYPE "état" AS ENUM ('brouillon', 'publié', 'archivé');

CREATE TABLE "café" (
    id integer PRIMARY KEY,
    "prix_€" numeric(6,2) NOT NULL,
    "naïve" boolean NOT NULL DEFAULT false,
    "état" "état" NOT NULL DEFAULT 'brouillon',
    "日本語" text
);

CREATE INDEX "café_prix_idx" ON "café" ("prix_€");

CREATE VIEW "cafés_publiés" AS SELECT id, "prix_€" FROM "café" WHERE "état" = 'publié';

COMMENT ON TABLE "café" IS 'Carte des cafés ☕';
