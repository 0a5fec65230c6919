CREATE DOMAIN code AS varchar(8) CONSTRAINT code_upper CHECK (VALUE = upper(VALUE));
COMMENT ON DOMAIN code IS 'short upper-case code';
COMMENT ON CONSTRAINT code_upper ON DOMAIN code IS 'upper case only';
