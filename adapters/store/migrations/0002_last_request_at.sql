ALTER TABLE "stacks" ADD COLUMN "last_request_at" timestamp with time zone;--> statement-breakpoint
-- Rows written before the column: their last access is the best guess of their last request.
UPDATE "stacks" SET "last_request_at" = "last_accessed_at";
