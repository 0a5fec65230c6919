CREATE EXTENSION btree_gist;

CREATE TABLE rooms (
    id int NOT NULL,
    valid_at daterange NOT NULL,
    name text
);

CREATE TABLE bookings (
    id int PRIMARY KEY,
    room_id int NOT NULL,
    valid_at daterange NOT NULL
);
