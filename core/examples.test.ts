import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseSpecYaml } from './spec.ts';

it('examples/demo/thaw.yml is a valid spec', () => {
  const spec = parseSpecYaml(readFileSync(new URL('../examples/demo/thaw.yml', import.meta.url), 'utf8'));
  expect(Object.keys(spec.services)).toEqual(['web', 'api']);
  expect(spec.services.api?.database).toBe(true);
});
