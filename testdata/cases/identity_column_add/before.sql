CREATE TABLE imports (
    file_name text PRIMARY KEY
);
