CREATE SEQUENCE "movies"."movie_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "movies"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"topic" varchar(100) NOT NULL,
	"key" varchar(200) NOT NULL,
	"type" varchar(100) NOT NULL,
	"source" varchar(50) NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"blocked_at" timestamp with time zone,
	"parked_at" timestamp with time zone,
	"parked_reason" text,
	CONSTRAINT "outbox_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "movies"."outbox" USING btree ("id") WHERE "movies"."outbox"."published_at" is null and "movies"."outbox"."parked_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_parked_idx" ON "movies"."outbox" USING btree ("id") WHERE "movies"."outbox"."parked_at" is not null and "movies"."outbox"."published_at" is null;