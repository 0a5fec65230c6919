CREATE TABLE devices (
    id bigint PRIMARY KEY,
    serial_no text NOT NULL UNIQUE,
    owner text
);
CREATE INDEX devices_owner_serial_idx ON devices (owner, serial_no);
