CREATE TABLE "user" (
    id bigint PRIMARY KEY
);

CREATE TABLE "order" (
    id bigint PRIMARY KEY,
    "user" bigint REFERENCES "user" (id) ON DELETE SET NULL,
    "offset" integer NOT NULL DEFAULT 0
);
