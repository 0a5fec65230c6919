CREATE TABLE items (
    id bigint PRIMARY KEY,
    code character varying(10) NOT NULL,
    qty integer NOT NULL DEFAULT 0,
    price numeric(10,2),
    seen timestamp with time zone,
    kind text NOT NULL CONSTRAINT items_kind_check CHECK (kind = ANY (ARRAY['a'::text, 'b'::text])),
    flag boolean DEFAULT false
);

CREATE INDEX items_code_idx ON items (code);

COMMENT ON TABLE items IS 'Spelling changed, structure did not';
