CREATE TABLE departments (
    id integer PRIMARY KEY,
    name text NOT NULL,
    manager_id integer
);

CREATE TABLE employees (
    id integer PRIMARY KEY,
    department_id integer REFERENCES departments (id)
);
