import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { parseSpecYaml, type StackSpec } from '../core/spec.ts';

/**
 * Reads a thaw.yml and resolves each service's `cwd` against the file's directory (local mode runs the
 * `run` commands there). The result travels in LAUNCH events, so paths are made absolute here.
 */
export async function loadSpecFile(path: string): Promise<StackSpec> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(path, [
      { path: '', message: code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${code})` },
    ]);
  }
  const spec = parseSpecYaml(text, path);
  const base = dirname(file);
  for (const service of Object.values(spec.services)) {
    if (service.run)
      service.cwd = service.cwd && isAbsolute(service.cwd) ? service.cwd : resolve(base, service.cwd ?? '.');
  }
  return spec;
}
