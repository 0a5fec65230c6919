CREATE TABLE memberships (
    org_id bigint NOT NULL,
    user_id bigint NOT NULL,
    role text NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY (org_id, user_id)
);
