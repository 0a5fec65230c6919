CREATE EXTENSION btree_gist;

-- A temporal primary key: no two rows of a room overlap in time.
CREATE TABLE rooms (
    id int NOT NULL,
    valid_at daterange NOT NULL,
    name text,
    CONSTRAINT rooms_pkey PRIMARY KEY (id, valid_at WITHOUT OVERLAPS)
);

-- A temporal foreign key: each booking lies within its room's validity.
CREATE TABLE bookings (
    id int PRIMARY KEY,
    room_id int NOT NULL,
    valid_at daterange NOT NULL,
    CONSTRAINT bookings_room FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at)
);
