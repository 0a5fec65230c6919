CREATE TABLE codes (
    code varchar(100) COLLATE "C" PRIMARY KEY
);
