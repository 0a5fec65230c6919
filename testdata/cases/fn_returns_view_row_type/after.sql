CREATE TABLE articles_t (id integer PRIMARY KEY, body text);

-- A function returning a view's row type is created once the view is.
CREATE VIEW articles AS SELECT id, body FROM articles_t;
CREATE FUNCTION single_article(article_id integer) RETURNS articles LANGUAGE sql
AS $$ SELECT a.* FROM articles a WHERE a.id = article_id $$;
