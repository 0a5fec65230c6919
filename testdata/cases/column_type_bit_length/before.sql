CREATE TABLE permissions (
    role text PRIMARY KEY,
    flags bit(8) NOT NULL DEFAULT B'00000000'
);
