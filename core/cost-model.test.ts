import { describe, expect, it } from 'vitest';
import {
  BEFORE,
  CHEAPEST,
  type CostModel,
  DEFAULTS,
  monthlyCost,
  renderCostTable,
  SEED_USAGE,
} from './cost-model.ts';
import { switchDeltas } from './cost-report.ts';
import { PRICE_TABLE } from './prices.ts';

const prices = PRICE_TABLE['us-east-1'];
const line = (model: CostModel, item: string) => model.lines.find((l) => l.item === item)?.usd;

describe('monthly cost model', () => {
  it('the total is the sum of its lines, split into fixed and variable', () => {
    for (const d of [BEFORE, DEFAULTS, CHEAPEST]) {
      const m = monthlyCost(d, SEED_USAGE, prices);
      const sum = m.lines.reduce((t, l) => t + l.usd, 0);
      expect(m.totalUsd).toBeCloseTo(sum, 9);
      expect(m.fixedUsd + m.variableUsd).toBeCloseTo(m.totalUsd, 9);
    }
  });

  it('hand-computed lines: two 0.5 vCPU / 1 GB x86 edge tasks = $36.04, a NAT gateway hour × 730 = $32.85', () => {
    const m = monthlyCost(BEFORE, SEED_USAGE, prices);
    expect(line(m, 'Traefik + sidecar')).toBeCloseTo(2 * (0.5 * 0.04048 + 1 * 0.004445) * 730, 9);
    expect(line(m, 'NAT gateway')).toBeCloseTo(32.85, 9);
    expect(line(m, 'ALB public IPv4')).toBeCloseTo(2 * 0.005 * 730, 9);
    expect(line(m, 'RDS PostgreSQL')).toBeCloseTo(0.016 * 730, 9);
  });

  it('stacks: 15 × (40 h + 20 one-minute starts) × web + api at 0.25 vCPU / 0.5 GB', () => {
    const hours = 15 * (40 + 20 / 60);
    expect(line(monthlyCost(BEFORE, SEED_USAGE, prices), 'Stacks (Fargate)')).toBeCloseTo(
      hours * 0.024685,
      9,
    );
    expect(line(monthlyCost(DEFAULTS, SEED_USAGE, prices), 'Stacks (Fargate)')).toBeCloseTo(
      hours * 0.024685 * 0.3,
      9,
    );
  });

  it('image pulls go through the NAT gateway only without the S3 gateway endpoint', () => {
    const pulls = 15 * 20 * 2 * 0.2;
    const without = monthlyCost({ ...BEFORE, s3GatewayEndpoint: false }, SEED_USAGE, prices);
    const withS3 = monthlyCost({ ...BEFORE, s3GatewayEndpoint: true }, SEED_USAGE, prices);
    expect(line(without, 'NAT gateway data')).toBeCloseTo((pulls + 2) * 0.045, 9);
    expect(line(withS3, 'NAT gateway data')).toBeCloseTo(2 * 0.045, 9);
  });

  it('a NAT instance has no per-GB line; ECR interface endpoints cost 2 × 2 AZs × 730 h × $0.01', () => {
    const m = monthlyCost({ ...DEFAULTS, ecrInterfaceEndpoints: true }, SEED_USAGE, prices);
    expect(line(m, 'NAT gateway data')).toBeUndefined();
    expect(line(m, 'ECR interface endpoints')).toBeCloseTo(29.2, 9);
  });

  it('with no stack awake only the fixed part remains (no Fargate for stacks)', () => {
    const idle = monthlyCost(DEFAULTS, { ...SEED_USAGE, stacks: 0 }, prices);
    expect(line(idle, 'Stacks (Fargate)')).toBe(0);
    expect(idle.fixedUsd).toBeCloseTo(monthlyCost(DEFAULTS, SEED_USAGE, prices).fixedUsd, 9);
  });

  it("issue 17's target: the cheapest sound configuration is at most $60, the defaults well under the old ones", () => {
    const before = monthlyCost(BEFORE, SEED_USAGE, prices).totalUsd;
    const defaults = monthlyCost(DEFAULTS, SEED_USAGE, prices).totalUsd;
    const cheapest = monthlyCost(CHEAPEST, SEED_USAGE, prices).totalUsd;
    expect(cheapest).toBeLessThanOrEqual(60);
    expect(defaults).toBeLessThan(before);
    expect(cheapest).toBeLessThan(defaults);
  });

  it('each switch away from the defaults moves the total by the difference of its lines', () => {
    const deltas = Object.fromEntries(switchDeltas().map((s) => [s.change, s.deltaUsd]));
    expect(deltas['second edge task (edge_tasks = 2)']).toBeCloseTo((0.25 * 0.04048 + 0.004445) * 730, 9);
    expect(deltas['ECR interface endpoints (ecr_interface_endpoints = true)']).toBeCloseTo(29.2, 9);
    expect(deltas['ARM64 edge and stacks (edge_architecture, stack_architecture)']).toBeLessThan(0);
  });

  it('the table has a row per item, a dash where a deployment has none, and the totals', () => {
    const table = renderCostTable([BEFORE, DEFAULTS].map((d) => monthlyCost(d, SEED_USAGE, prices)));
    const rows = table.split('\n');
    expect(rows[0]).toBe('| item | before (old defaults) | defaults |');
    expect(rows.find((r) => r.startsWith('| NAT gateway |'))).toBe('| NAT gateway | $32.85 | — |');
    expect(rows.find((r) => r.startsWith('| NAT instance |'))).toBe('| NAT instance | — | $3.07 |');
    expect(rows.at(-1)).toMatch(/^\| \*\*total per month\*\* \| \*\*\$133\.10\*\* \| \*\*\$62\.61\*\* \|$/);
  });
});
