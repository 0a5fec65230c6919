CREATE TABLE items (id int PRIMARY KEY, price int NOT NULL);
