import { relations } from 'drizzle-orm';
import { deferredEvents, requirements, stacks } from './schema.ts';

export const stackRelations = relations(stacks, ({ many }) => ({
  requirements: many(requirements),
  deferred: many(deferredEvents),
}));
export const requirementRelations = relations(requirements, ({ one }) => ({
  stack: one(stacks, { fields: [requirements.stackId], references: [stacks.id] }),
}));
export const deferredRelations = relations(deferredEvents, ({ one }) => ({
  stack: one(stacks, { fields: [deferredEvents.stackId], references: [stacks.id] }),
}));
