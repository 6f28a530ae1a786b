-- Custom migration (drizzle-kit generate --custom): as on the monolith's movie tables
-- (packages/db 0003_catalogue_changes), a change to the own store's movies announces itself on
-- channel movies_changed, so every replica reading this store drops its cached catalogue. Once
-- per statement: a backfill batch of thousands of rows is one notification.
CREATE FUNCTION "movies"."movies_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('movies_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER movies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "movies"."movies"
  FOR EACH STATEMENT EXECUTE FUNCTION "movies"."movies_changed"();
