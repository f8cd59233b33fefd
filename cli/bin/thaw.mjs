#!/usr/bin/env node
// The `thaw` command. Runs the TypeScript sources through tsx, so `npm ci && npx thaw …` works with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that it will need Node 22 from 2027; Thaw pins its version.
const original = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (
    type === 'NodeVersionSupportWarning' ||
    String(warning?.message ?? warning).includes('NodeVersionSupportWarning')
  )
    return;
  return original.call(process, warning, ...rest);
};

register();
await import('../main.ts');
