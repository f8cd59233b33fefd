import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderStateMachineDoc } from '../core/diagram.ts';
import { parseModule, renderModuleDocs, replaceDocs, TERRAFORM_DIRS } from './terraform-docs.ts';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(join(root, 'docs/state-machine.md'), renderStateMachineDoc());
console.log('wrote docs/state-machine.md');
for (const dir of TERRAFORM_DIRS) {
  const readme = join(root, dir, 'README.md');
  const current = existsSync(readme) ? readFileSync(readme, 'utf8') : `# ${dir}\n`;
  writeFileSync(readme, replaceDocs(current, renderModuleDocs(await parseModule(join(root, dir)))));
  console.log(`wrote ${dir}/README.md`);
}
