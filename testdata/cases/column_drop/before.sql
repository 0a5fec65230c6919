CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    legacy_phone text,
    fax varchar(30),
    updated_at timestamptz
);
