CREATE EXTENSION IF NOT EXISTS file_fdw;
CREATE SERVER csv_files FOREIGN DATA WRAPPER file_fdw;

CREATE FOREIGN TABLE imports (
    id integer,
    name text OPTIONS (force_not_null 'true')
) SERVER csv_files OPTIONS (filename '/tmp/imports.csv', format 'csv');
