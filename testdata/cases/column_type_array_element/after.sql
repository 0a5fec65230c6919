CREATE TABLE playlists (
    id bigint PRIMARY KEY,
    track_ids bigint[] NOT NULL DEFAULT '{}'
);
