ALTER TABLE "stacks" ADD COLUMN "keep_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stacks" ADD COLUMN "kept_by" text;--> statement-breakpoint
ALTER TABLE "stacks" ADD COLUMN "keep_set_at" timestamp with time zone;