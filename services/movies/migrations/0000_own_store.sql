CREATE SCHEMA "movies";
--> statement-breakpoint
CREATE TABLE "movies"."movies" (
	"id" integer PRIMARY KEY NOT NULL,
	"title" varchar(255) NOT NULL,
	"description" text NOT NULL,
	"genres" varchar(50)[] DEFAULT '{}' NOT NULL,
	"rating" double precision NOT NULL,
	"version" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "movies_rating_range" CHECK ("movies"."movies"."rating" >= 0 AND "movies"."movies"."rating" <= 10)
);
--> statement-breakpoint
CREATE TABLE "movies"."procedure" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"phase" smallint DEFAULT 0 NOT NULL,
	"backfill_cursor" integer DEFAULT 0 NOT NULL,
	"backfill_target" integer,
	"backfill_copied" integer DEFAULT 0 NOT NULL,
	"backfill_done" boolean DEFAULT false NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "procedure_one_row" CHECK ("movies"."procedure"."id" = 1),
	CONSTRAINT "procedure_phase_range" CHECK ("movies"."procedure"."phase" between 0 and 6)
);
--> statement-breakpoint
INSERT INTO "movies"."procedure" ("id") VALUES (1);
