-- Epoch milliseconds in a bigint. There is no cast between bigint and
-- timestamptz: the source states each direction's conversion beside the
-- column (a hint applies only when the column's type changes).
CREATE TABLE events (
    id integer PRIMARY KEY,
    happened bigint NOT NULL -- @using (extract(epoch FROM happened) * 1000)::bigint
);
INSERT INTO events VALUES (1, 1700000000000);
