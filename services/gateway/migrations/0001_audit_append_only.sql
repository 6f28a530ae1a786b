-- The audit log is append-only: the database refuses to change or remove an entry, whoever asks.
CREATE FUNCTION "gateway"."audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'gateway.audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_append_only" BEFORE UPDATE OR DELETE ON "gateway"."audit"
  FOR EACH ROW EXECUTE FUNCTION "gateway"."audit_append_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_no_truncate" BEFORE TRUNCATE ON "gateway"."audit"
  FOR EACH STATEMENT EXECUTE FUNCTION "gateway"."audit_append_only"();
