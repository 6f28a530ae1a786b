CREATE TABLE "bus_group_offsets" (
	"group_id" varchar(200) NOT NULL,
	"topic" varchar(100) NOT NULL,
	"partition" integer NOT NULL,
	"committed_offset" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bus_group_offsets_group_id_topic_partition_pk" PRIMARY KEY("group_id","topic","partition")
);
--> statement-breakpoint
CREATE TABLE "bus_messages" (
	"topic" varchar(100) NOT NULL,
	"partition" integer NOT NULL,
	"offset" bigint NOT NULL,
	"key" varchar(200) NOT NULL,
	"value" text NOT NULL,
	"headers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bus_messages_topic_partition_offset_pk" PRIMARY KEY("topic","partition","offset")
);
--> statement-breakpoint
CREATE TABLE "bus_partitions" (
	"topic" varchar(100) NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "bus_partitions_topic_partition_pk" PRIMARY KEY("topic","partition")
);
--> statement-breakpoint
CREATE INDEX "bus_messages_created_idx" ON "bus_messages" USING btree ("created_at");