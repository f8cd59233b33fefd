import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { ValidationError } from './errors.ts';
import { parseSpec, parseSpecYaml } from './spec.ts';

/** Runs per property: THAW_PROPERTY_RUNS, else 200 (a second or two). */
const RUNS = Number(process.env.THAW_PROPERTY_RUNS ?? 200);

const valid = {
  idleTimeout: '15m',
  services: {
    web: { image: 'ghcr.io/acme/web', port: 3000, env: { API: '{url:api}' } },
    api: {
      image: 'ghcr.io/acme/api',
      port: 8080,
      host: 'api-{stack}',
      pathPrefix: '/v1',
      database: true,
      env: { X: '1' },
    },
  },
};

/** Anything at all, and a valid spec with one part replaced by anything (to get past the first checks). */
const anyValue = fc.anything({
  key: fc.string(),
  withNullPrototype: true,
  withObjectString: true,
  withBigInt: true,
});
const mutatedWith = (replacement: fc.Arbitrary<unknown>) =>
  fc
    .tuple(
      fc.constantFrom(
        [],
        ['idleTimeout'],
        ['services'],
        ['services', 'web'],
        ['services', 'web', 'port'],
        ['services', 'web', 'host'],
        ['services', 'web', 'env'],
        ['services', 'api', 'pathPrefix'],
        ['services', 'api', 'cpu'],
        ['services', 'api', 'memory'],
        ['services', 'api', 'env', 'X'],
        ['services', 'Not A Name'],
        ['services', 'constructor'],
        ['services', '__proto__'],
        ['databaseTemplate'],
        ['extra'],
      ),
      replacement,
    )
    .map(([path, value]) => {
      const copy = structuredClone(valid) as Record<string, unknown>;
      if (path.length === 0) return value;
      let at = copy;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
      at[path.at(-1)!] = value;
      return copy;
    });
const mutated = mutatedWith(anyValue);
const json = fc.jsonValue();

/** Either it parses, or it throws ValidationError whose issues each say where and what. */
function parsesOrNamesTheProblem(parse: () => unknown, input: unknown, isYaml = false) {
  let error: unknown;
  try {
    parse();
    return;
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ValidationError);
  const { issues } = error as ValidationError;
  expect(issues.length).toBeGreaterThan(0);
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  for (const issue of issues) {
    expect(typeof issue.path).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
    // Inside an object every problem names its field; a YAML syntax error names its line and column.
    if (isObject) expect(issue.path).not.toBe('');
    if (isYaml && !isObject) expect(issue.path).toMatch(/^line \d+, column \d+$|^$/);
  }
}

describe('the spec parser under arbitrary input', () => {
  it('parseSpec: anything → a spec or a ValidationError whose issues each name a path', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, mutated), (input) => {
        parsesOrNamesTheProblem(() => parseSpec(input), input);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseSpecYaml: arbitrary text → a spec or a ValidationError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' })), (text) => {
        let value: unknown;
        try {
          value = parseYaml(text, { logLevel: 'error' });
        } catch {
          value = undefined; // a syntax error: its issue names a line and column
        }
        parsesOrNamesTheProblem(() => parseSpecYaml(text), value, true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseSpecYaml: YAML of arbitrary and near-valid objects → a spec or a ValidationError naming a path', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedWith(json), json), (input) => {
        parsesOrNamesTheProblem(() => parseSpecYaml(stringify(input)), input, true);
      }),
      { numRuns: RUNS },
    );
  });

  // Found by the properties above and fixed in core/spec.ts and core/validation.ts.
  it('an unresolved alias in thaw.yml is a ValidationError, not a ReferenceError', () => {
    expect(() => parseSpecYaml('services: *web\n')).toThrow(ValidationError);
    expect(() => parseSpecYaml('services: *web\n')).toThrow(/line 1, column 11: .*anchor/);
  });

  it('an unknown tag in thaw.yml is a ValidationError with its line, not a stderr warning and a string', () => {
    const yaml = 'services:\n  web:\n    image: !Ref WebImage\n';
    expect(() => parseSpecYaml(yaml)).toThrow(ValidationError);
    expect(() => parseSpecYaml(yaml)).toThrow(/line 3, column \d+: .*!Ref/);
  });

  it('an unknown field named "" is reported with a path that names it', () => {
    try {
      parseSpec({ ...valid, '': 1 });
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).not.toContain('');
    }
  });

  it('a BigInt value is a ValidationError, not a TypeError from the message builder', () => {
    expect(() => parseSpec({ ...valid, idleTimeout: 1n })).toThrow(ValidationError);
  });

  it('a valid spec still parses (the properties above can pass for the right reason)', () => {
    expect(parseSpec(valid).services.api!.port).toBe(8080);
    expect(parseSpecYaml(stringify(valid)).services.web!.port).toBe(3000);
  });
});
