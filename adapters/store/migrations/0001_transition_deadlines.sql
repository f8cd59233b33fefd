ALTER TABLE "stacks" ADD COLUMN "failed_in" text;--> statement-breakpoint
ALTER TABLE "stacks" ADD COLUMN "entered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stacks" ADD COLUMN "resent_at" timestamp with time zone;