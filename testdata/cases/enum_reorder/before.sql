CREATE TYPE mood AS ENUM ('happy', 'ok', 'sad');
