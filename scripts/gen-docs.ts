import { writeFileSync } from 'node:fs';
import { renderStateMachineDoc } from '../core/diagram.ts';

const target = new URL('../docs/state-machine.md', import.meta.url);
writeFileSync(target, renderStateMachineDoc());
console.log(`wrote ${target.pathname}`);
