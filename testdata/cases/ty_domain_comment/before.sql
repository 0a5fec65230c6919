CREATE DOMAIN code AS varchar(8) CONSTRAINT code_upper CHECK (VALUE = upper(VALUE));
