CREATE TABLE addr (city text, zip text);
