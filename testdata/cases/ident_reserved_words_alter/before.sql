CREATE TABLE "user" (
    id bigint PRIMARY KEY
);

CREATE TABLE "order" (
    id bigint PRIMARY KEY
);
