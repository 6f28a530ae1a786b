-- Custom migration (drizzle-kit generate --custom): a change to the movie tables, by any process,
-- announces itself on channel movies_changed, so every movies service replica drops its cached
-- catalogue (services/movies/src/catalogue). Once per statement, not per row: a batch of a
-- thousand rows is one notification, and PostgreSQL folds equal notifications of one transaction.
CREATE FUNCTION movies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('movies_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER movies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON movies
  FOR EACH STATEMENT EXECUTE FUNCTION movies_changed();
--> statement-breakpoint
CREATE TRIGGER movie_genres_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON movie_genres
  FOR EACH STATEMENT EXECUTE FUNCTION movies_changed();
