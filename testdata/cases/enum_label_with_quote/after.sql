CREATE TYPE answer AS ENUM ('yes', 'no', 'don''t know', 'peut-être', 'N/A');
