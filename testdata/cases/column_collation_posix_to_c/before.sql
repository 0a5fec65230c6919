CREATE TABLE codes (
    code varchar(100) COLLATE "POSIX" PRIMARY KEY
);
