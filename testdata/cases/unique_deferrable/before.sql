CREATE TABLE positions (
    list_id bigint NOT NULL,
    pos integer NOT NULL,
    item text NOT NULL,
    CONSTRAINT positions_list_pos_key UNIQUE (list_id, pos)
);
