CREATE TABLE "dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dlq_topic" text NOT NULL,
	"dlq_partition" integer NOT NULL,
	"dlq_offset" bigint NOT NULL,
	"topic" text NOT NULL,
	"partition" integer,
	"offset" bigint,
	"record" text NOT NULL,
	"error" text NOT NULL,
	"attempts" integer NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replayed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_dlq_position_idx" ON "dead_letters" USING btree ("dlq_topic","dlq_partition","dlq_offset");