CREATE TABLE keep (id int PRIMARY KEY);
CREATE TABLE a_events (id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE b_clicks (target text) INHERITS (a_events);
CREATE TABLE c_row_holder (id int PRIMARY KEY, snapshot b_clicks);
