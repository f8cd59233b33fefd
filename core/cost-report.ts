import {
  BEFORE,
  CHEAPEST,
  DEFAULTS,
  type Deployment,
  monthlyCost,
  renderCostDetails,
  renderCostTable,
  SEED_USAGE,
  type Usage,
} from './cost-model.ts';
import { PRICE_TABLE, PRICES_READ_ON, type RegionPrices } from './prices.ts';

const money = (n: number) => `${n < 0 ? '−' : '+'}$${Math.abs(n).toFixed(2)}`;

/** What turning one switch away from the defaults adds to (or takes from) the monthly total. */
export function switchDeltas(
  base: Deployment = DEFAULTS,
  usage: Usage = SEED_USAGE,
  prices: RegionPrices = PRICE_TABLE['us-east-1'],
): { change: string; deltaUsd: number }[] {
  const total = (d: Deployment) => monthlyCost(d, usage, prices).totalUsd;
  const from = total(base);
  const variants: [string, Partial<Deployment>][] = [
    ['second edge task (edge_tasks = 2)', { edgeTasks: base.edgeTasks + 1 }],
    ['stacks on on-demand Fargate (stack_spot = false)', { stackCapacity: 'on-demand' }],
    ['NAT gateway instead of the NAT instance (nat = "gateway")', { nat: 'gateway' }],
    [
      'NAT gateway and no S3 gateway endpoint (image layers through the NAT)',
      { nat: 'gateway', s3GatewayEndpoint: false },
    ],
    ['ECR interface endpoints (ecr_interface_endpoints = true)', { ecrInterfaceEndpoints: true }],
    [
      'ARM64 edge and stacks (edge_architecture, stack_architecture)',
      { edgeArchitecture: 'ARM64', stackArchitecture: 'ARM64' },
    ],
  ];
  return variants.map(([change, patch]) => ({ change, deltaUsd: total({ ...base, ...patch }) - from }));
}

/** The markdown docs/cost.md embeds between its COST_MODEL markers. */
export function costReport(): string {
  const prices = PRICE_TABLE['us-east-1'];
  const models = [BEFORE, DEFAULTS, CHEAPEST].map((d) => monthlyCost(d, SEED_USAGE, prices));
  return [
    `us-east-1 list prices read ${PRICES_READ_ON}; the seed's case: ${SEED_USAGE.stacks} stacks × ${SEED_USAGE.services.length} services at 0.25 vCPU / 0.5 GB, ${SEED_USAGE.awakeHoursPerStack} awake hours per stack per month. The seed: about $100 a month.`,
    '',
    renderCostTable(models),
    '',
    'What one switch away from the defaults changes:',
    '',
    '| change | per month |',
    '|---|---:|',
    ...switchDeltas().map((s) => `| ${s.change} | ${money(s.deltaUsd)} |`),
    '',
    'How each line of the defaults is computed:',
    '',
    renderCostDetails(models[1]!),
  ].join('\n');
}
