CREATE TABLE departments (
    id integer PRIMARY KEY,
    name text NOT NULL,
    manager_id integer
);

CREATE TABLE employees (
    id integer PRIMARY KEY,
    name text NOT NULL,
    department_id integer NOT NULL REFERENCES departments (id)
);

ALTER TABLE departments
    ADD CONSTRAINT departments_manager_id_fkey FOREIGN KEY (manager_id) REFERENCES employees (id);
