CREATE TYPE answer AS ENUM ('yes', 'no');
