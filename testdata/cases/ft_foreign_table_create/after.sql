CREATE EXTENSION IF NOT EXISTS file_fdw;

CREATE SERVER csv_files FOREIGN DATA WRAPPER file_fdw;
COMMENT ON SERVER csv_files IS 'files on the database server';

CREATE FOREIGN TABLE imports (
    id integer NOT NULL,
    name text OPTIONS (force_not_null 'true'),
    CONSTRAINT imports_id_check CHECK (id > 0)
) SERVER csv_files OPTIONS (filename '/tmp/imports.csv', format 'csv');
COMMENT ON FOREIGN TABLE imports IS 'a CSV file';
COMMENT ON COLUMN imports.name IS 'as written';
GRANT SELECT ON imports TO ft_reader;
