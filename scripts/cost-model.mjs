#!/usr/bin/env node
// Prints docs/cost.md's tables: the monthly cost of Thaw for the seed's case (15 stacks of web + api at
// 0.25 vCPU / 0.5 GB, 40 awake hours each) under the old defaults, the defaults and the cheapest sound
// configuration, what each switch costs, and how every line is computed. From core/prices.ts (dated
// list prices) and core/cost-model.ts; test/infra.test.ts fails when docs/cost.md differs.
//   node scripts/cost-model.mjs
import { register } from 'tsx/esm/api';

register();
const { costReport } = await import('../core/cost-report.ts');
console.log(costReport());
