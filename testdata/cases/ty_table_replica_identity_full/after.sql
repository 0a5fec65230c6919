CREATE TABLE messages (id bigint PRIMARY KEY, body text);
ALTER TABLE messages REPLICA IDENTITY FULL;
