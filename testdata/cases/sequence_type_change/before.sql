CREATE SEQUENCE event_seq AS integer;
