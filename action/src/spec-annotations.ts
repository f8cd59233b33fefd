import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { InputIssue } from '../../core/errors.ts';

export interface SpecLocation {
  line: number;
  column: number;
}

/**
 * Where in a thaw.yml an issue of core/spec.ts points: YAML syntax errors already say
 * "line L, column C"; schema issues name a path ("services.web.port"), followed here through the
 * document's nodes to the key of the deepest part that exists (a missing field points at its parent's
 * key, an unknown one at itself). Lines and columns count from 1, as GitHub annotations do.
 */
export function locateSpecIssue(text: string, issue: InputIssue): SpecLocation {
  const syntax = /^line (\d+), column (\d+)$/.exec(issue.path);
  if (syntax) return { line: Number(syntax[1]), column: Number(syntax[2]) };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const segment of issue.path ? issue.path.split('.') : []) {
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
