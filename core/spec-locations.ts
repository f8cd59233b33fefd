import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type InputIssue, ValidationError } from './errors.ts';
import { parseSpecYaml } from './spec.ts';

export interface SpecLocation {
  line: number;
  column: number;
}

/** One problem of a thaw.yml, where it is: what `thaw validate` prints and the Action annotates. */
export interface SpecProblem extends SpecLocation {
  /** The field (`services.web.port`), or empty for the whole file. */
  path: string;
  message: string;
  /** What was checked: the field's path, or `yaml` for a syntax error. */
  rule: string;
}

const SYNTAX_AT = /^line (\d+), column (\d+)$/;

/** `services."a.b".port` → ['services', 'a.b', 'port'] (validation.ts quotes keys holding a dot). */
function pathSegments(path: string): string[] {
  return [...path.matchAll(/"(?:[^"\\]|\\.)*"|[^.]+/g)].map(([segment]) =>
    segment.startsWith('"') ? (JSON.parse(segment) as string) : segment,
  );
}

/**
 * Where in a thaw.yml an issue of core/spec.ts points: YAML syntax errors already say
 * "line L, column C"; schema issues name a path ("services.web.port"), followed here through the
 * document's nodes to the key of the deepest part that exists (a missing field points at its parent's
 * key, an unknown one at itself). Lines and columns count from 1, as GitHub annotations and editors do.
 */
export function locateSpecIssue(text: string, issue: InputIssue): SpecLocation {
  const syntax = SYNTAX_AT.exec(issue.path);
  if (syntax) return { line: Number(syntax[1]), column: Number(syntax[2]) };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, logLevel: 'error' });
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const segment of issue.path ? pathSegments(issue.path) : []) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Every problem of a thaw.yml's text, located; none when it is a valid spec. */
export function specProblems(text: string, source = 'thaw.yml'): SpecProblem[] {
  try {
    parseSpecYaml(text, source);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((issue) => {
      const syntax = SYNTAX_AT.test(issue.path);
      return {
        ...locateSpecIssue(text, issue),
        path: syntax ? '' : issue.path,
        message: issue.message,
        rule: syntax ? 'yaml' : issue.path || 'spec',
      };
    });
  }
}
