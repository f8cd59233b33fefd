CREATE TABLE "deferred_events" (
	"stack_id" text NOT NULL,
	"seq" integer NOT NULL,
	"event" jsonb NOT NULL,
	CONSTRAINT "deferred_events_stack_id_seq_pk" PRIMARY KEY("stack_id","seq")
);
--> statement-breakpoint
CREATE TABLE "history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"stack_id" text NOT NULL,
	"event" text NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"transition_id" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"detail" text
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"stack_id" text NOT NULL,
	"task" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requirements" (
	"stack_id" text NOT NULL,
	"transition_id" integer NOT NULL,
	"task_id" text NOT NULL,
	"kind" text NOT NULL,
	"step" integer NOT NULL,
	"target" text,
	"satisfied" boolean NOT NULL,
	CONSTRAINT "requirements_stack_id_transition_id_task_id_pk" PRIMARY KEY("stack_id","transition_id","task_id")
);
--> statement-breakpoint
CREATE TABLE "stacks" (
	"id" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"spec" jsonb,
	"images" jsonb NOT NULL,
	"pr" jsonb,
	"transition_id" integer NOT NULL,
	"pending_deploy" boolean DEFAULT false NOT NULL,
	"last_accessed_at" timestamp with time zone,
	"last_command_at" timestamp with time zone,
	"failure_reason" text,
	"idle_at" timestamp with time zone,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deferred_events" ADD CONSTRAINT "deferred_events_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requirements" ADD CONSTRAINT "requirements_stack_id_stacks_id_fk" FOREIGN KEY ("stack_id") REFERENCES "public"."stacks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "history_stack_idx" ON "history" USING btree ("stack_id","id");--> statement-breakpoint
CREATE INDEX "outbox_stack_idx" ON "outbox" USING btree ("stack_id");--> statement-breakpoint
CREATE INDEX "outbox_created_idx" ON "outbox" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stacks_idle_running_idx" ON "stacks" USING btree ("idle_at") WHERE "stacks"."state" = 'RUNNING';--> statement-breakpoint
CREATE INDEX "stacks_state_idx" ON "stacks" USING btree ("state");