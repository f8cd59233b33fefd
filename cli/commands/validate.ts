import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { printJson } from '../output.ts';

/**
 * `thaw validate [FILE]`: checks a thaw.yml with no running system, one `file:line:col: message (rule)`
 * line per problem (the lines GitHub annotations of the Action point at), exit 1 when there is any.
 */
export function registerValidate(program: Command) {
  program
    .command('validate')
    .description('check a thaw.yml without running anything: file:line:col: message (rule) per problem')
    .argument('[file]', 'the spec file', 'thaw.yml')
    .option('--json', 'print { file, valid, problems: [{ line, column, path, message, rule }] }')
    .action(async (file: string, options: { json?: boolean }) => {
      // Loaded when the command runs: `thaw --help` does without the spec schema and the YAML parser.
      const { specProblems } = await import('../../core/spec-locations.ts');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const message = code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`;
        if (options.json)
          printJson({
            file,
            valid: false,
            problems: [{ line: null, column: null, path: '', message, rule: 'file' }],
          });
        else process.stdout.write(`${file}: ${message} (file)\n`);
        process.exitCode = 1;
        return;
      }
      const problems = specProblems(text, file);
      if (options.json) printJson({ file, valid: problems.length === 0, problems });
      else if (problems.length === 0) process.stdout.write(`${file}: valid\n`);
      else
        for (const p of problems)
          process.stdout.write(`${file}:${p.line}:${p.column}: ${p.message} (${p.rule})\n`);
      if (problems.length) process.exitCode = 1;
    });
}
