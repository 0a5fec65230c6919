CREATE TABLE permissions (
    role text PRIMARY KEY,
    flags bit(16) NOT NULL DEFAULT B'0000000000000000'
);
