-- The domain and the function its CHECK calls are gone.
CREATE TABLE pairs (id integer PRIMARY KEY);
