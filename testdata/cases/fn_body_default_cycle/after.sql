-- The function reads the table whose default calls it: no creation order
-- satisfies both while SQL bodies are checked at creation.
CREATE TABLE tickets (
    id int PRIMARY KEY DEFAULT next_ticket(),
    title text NOT NULL
);

CREATE FUNCTION next_ticket() RETURNS int LANGUAGE sql VOLATILE
AS $$ SELECT coalesce(max(id), 0) + 1 FROM public.tickets $$;
