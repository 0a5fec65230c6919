CREATE TABLE items (
    id int8 PRIMARY KEY,
    code varchar(10) NOT NULL,
    qty int4 NOT NULL DEFAULT 0,
    price decimal(10,2),
    seen timestamptz,
    kind text NOT NULL CONSTRAINT items_kind_check CHECK (kind IN ('a', 'b')),
    flag bool DEFAULT FALSE
);

CREATE INDEX items_code_idx ON items USING btree (code ASC NULLS LAST);
