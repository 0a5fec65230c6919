CREATE SEQUENCE event_seq AS bigint;
