#!/usr/bin/env node
// The `thaw` command. Runs the TypeScript sources through tsx, so `npm ci && npx thaw …` works with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
