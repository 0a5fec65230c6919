CREATE TABLE settings (
    key text PRIMARY KEY,
    value text
);

CREATE TABLE playlist_tracks (
    playlist_id integer NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    position integer NOT NULL,
    title text NOT NULL,
    PRIMARY KEY (playlist_id, position)
);

CREATE TABLE playlists (
    id integer PRIMARY KEY,
    name text NOT NULL
);
