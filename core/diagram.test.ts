import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderStateMachineDoc } from './diagram.ts';

it('docs/state-machine.md is up to date with core/machine.ts (run `npm run docs`)', () => {
  const committed = readFileSync(new URL('../docs/state-machine.md', import.meta.url), 'utf8');
  expect(committed).toBe(renderStateMachineDoc());
});
