CREATE SCHEMA "gateway";
--> statement-breakpoint
CREATE TABLE "gateway"."analysis_counts" (
	"replica" varchar(100) NOT NULL,
	"route" varchar(40) NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"backend" varchar(40) NOT NULL,
	"requests" integer NOT NULL,
	"errors" integer NOT NULL,
	"latency" integer[] NOT NULL,
	"shadow_compared" integer DEFAULT 0 NOT NULL,
	"shadow_mismatched" integer DEFAULT 0 NOT NULL,
	"shadow_noise" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analysis_counts_replica_route_window_start_backend_pk" PRIMARY KEY("replica","route","window_start","backend")
);
--> statement-breakpoint
CREATE TABLE "gateway"."analysis_verdicts" (
	"route" varchar(40) NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_seconds" integer NOT NULL,
	"verdict" varchar(20) NOT NULL,
	"checks" jsonb NOT NULL,
	"counts" jsonb NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analysis_verdicts_route_window_start_pk" PRIMARY KEY("route","window_start")
);
--> statement-breakpoint
CREATE TABLE "gateway"."audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_kind" varchar(20) NOT NULL,
	"actor_label" varchar(100) NOT NULL,
	"route" varchar(40) NOT NULL,
	"action" varchar(20) NOT NULL,
	"old" jsonb NOT NULL,
	"new" jsonb NOT NULL,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway"."migrations" (
	"route" varchar(40) PRIMARY KEY NOT NULL,
	"state" jsonb NOT NULL,
	"version" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gateway"."outbox" (
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
CREATE TABLE "gateway"."shadow_mismatches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"replica" varchar(100) NOT NULL,
	"route" varchar(40) NOT NULL,
	"endpoint" varchar(300) NOT NULL,
	"request" jsonb NOT NULL,
	"primary_backend" varchar(40) NOT NULL,
	"primary_status" integer NOT NULL,
	"shadow_backend" varchar(40) NOT NULL,
	"shadow_status" integer NOT NULL,
	"diff" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analysis_counts_window_idx" ON "gateway"."analysis_counts" USING btree ("route","window_start");--> statement-breakpoint
CREATE INDEX "audit_route_idx" ON "gateway"."audit" USING btree ("route","id");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "gateway"."outbox" USING btree ("id") WHERE "gateway"."outbox"."published_at" is null and "gateway"."outbox"."parked_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_parked_idx" ON "gateway"."outbox" USING btree ("id") WHERE "gateway"."outbox"."parked_at" is not null and "gateway"."outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "shadow_mismatches_route_idx" ON "gateway"."shadow_mismatches" USING btree ("route","id");