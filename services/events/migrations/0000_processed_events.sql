CREATE TABLE "processed_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"type" varchar(100) NOT NULL,
	"topic" varchar(100) NOT NULL,
	"partition" integer NOT NULL,
	"offset" bigint NOT NULL,
	"key" varchar(200) NOT NULL,
	"source" varchar(50) NOT NULL,
	"payload" jsonb NOT NULL,
	"event_timestamp" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "processed_events_topic_time_idx" ON "processed_events" USING btree ("topic","processed_at");