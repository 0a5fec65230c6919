CREATE TABLE messages (id bigint PRIMARY KEY, body text);
