CREATE TABLE playlists (
    id bigint PRIMARY KEY,
    track_ids integer[] NOT NULL DEFAULT '{}'
);
