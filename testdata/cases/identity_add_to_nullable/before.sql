CREATE TABLE legacy_rows (
    uid uuid PRIMARY KEY,
    legacy_id integer
);
