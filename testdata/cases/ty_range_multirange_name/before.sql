CREATE TYPE timerange AS RANGE (subtype = time);
