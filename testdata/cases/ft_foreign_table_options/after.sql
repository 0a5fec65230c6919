CREATE EXTENSION IF NOT EXISTS file_fdw;
CREATE SERVER csv_files FOREIGN DATA WRAPPER file_fdw;

-- One option set, one dropped, one added; a column's options dropped, a
-- column added with its own.
CREATE FOREIGN TABLE imports (
    id integer,
    name text,
    note text OPTIONS (force_null 'true')
) SERVER csv_files OPTIONS (filename '/tmp/imports_2.csv', header 'true');
COMMENT ON FOREIGN TABLE imports IS 'a CSV file';
