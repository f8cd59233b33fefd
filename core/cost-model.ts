import {
  type Architecture,
  type Capacity,
  fargateRate,
  HOURS_PER_MONTH,
  type RegionPrices,
  taskHourUsd,
} from './prices.ts';

/** What a Thaw deployment runs all month: the Terraform settings that change the bill. */
export interface Deployment {
  name: string;
  /** Traefik + sidecar tasks, on-demand Fargate (edge module desired_count, cpu, memory, architecture). */
  edgeTasks: number;
  edgeCpu: number;
  edgeMemory: number;
  edgeArchitecture: Architecture;
  /** Where stack tasks run (edge module stack_spot; control plane stack_architecture). */
  stackCapacity: Capacity;
  stackArchitecture: Architecture;
  /** The way out of the private subnets (example nat). */
  nat: 'gateway' | 'instance';
  natInstanceType: string;
  /** Free S3 gateway endpoint: ECR image layers skip the NAT. */
  s3GatewayEndpoint: boolean;
  /** ecr.api + ecr.dkr interface endpoints in every AZ. */
  ecrInterfaceEndpoints: boolean;
  azs: number;
  dbInstanceClass: string;
  dbStorageGb: number;
}

/** How the previews are used in a month, and the small assumptions behind the minor lines. */
export interface Usage {
  stacks: number;
  /** Every service of a stack: CPU units and memory MiB, one task each. */
  services: { cpu: number; memory: number }[];
  awakeHoursPerStack: number;
  /** Wakes and launches per stack: each pulls every image and bills the pull and start time. */
  startsPerStack: number;
  secondsBilledPerStart: number;
  /** Compressed size pulled per service per start (Fargate caches no layers between tasks). */
  imageGbPerPull: number;
  /** Other traffic through the NAT: AWS API calls, api.github.com, ECR manifests. */
  otherNatGb: number;
  /** Bytes through the ALB per awake stack-hour (1 GB/h = 1 LCU for IP targets). */
  albGbPerAwakeHour: number;
  logsGb: number;
  ecrStorageGb: number;
  lambdaGbSeconds: number;
  lambdaRequests: number;
  sqsRequests: number;
  secrets: number;
  hostedZones: number;
}

export interface CostLine {
  item: string;
  detail: string;
  usd: number;
  /** Billed whether or not any stack is awake. */
  fixed: boolean;
}

export interface CostModel {
  deployment: string;
  lines: CostLine[];
  fixedUsd: number;
  variableUsd: number;
  totalUsd: number;
}

const usd = (n: number) => `$${n.toFixed(n < 0.1 && n > 0 ? 4 : 2)}`;
const month = HOURS_PER_MONTH;

/** Monthly cost of a deployment under a usage, line by line, from a region's list prices. */
export function monthlyCost(d: Deployment, u: Usage, p: RegionPrices): CostModel {
  const lines: CostLine[] = [];
  const add = (item: string, detail: string, amount: number, fixed: boolean) =>
    lines.push({ item, detail, usd: amount, fixed });

  const albGb = u.stacks * u.awakeHoursPerStack * u.albGbPerAwakeHour;
  add('ALB', `${month} h × $${p.albHour}`, month * p.albHour, true);
  add('ALB capacity units', `${albGb} GB ≈ ${albGb} LCU-h × $${p.albLcuHour}`, albGb * p.albLcuHour, false);
  add(
    'ALB public IPv4',
    `${d.azs} addresses × ${month} h × $${p.publicIpv4Hour}`,
    d.azs * month * p.publicIpv4Hour,
    true,
  );

  const edgeRate = fargateRate(p, { capacity: 'on-demand', architecture: d.edgeArchitecture });
  const edgeHour = taskHourUsd(edgeRate, d.edgeCpu, d.edgeMemory);
  add(
    'Traefik + sidecar',
    `${d.edgeTasks} × ${d.edgeCpu / 1024} vCPU / ${d.edgeMemory / 1024} GB ${d.edgeArchitecture} on-demand × ${month} h`,
    d.edgeTasks * edgeHour * month,
    true,
  );

  const dbHour = p.rdsHour[d.dbInstanceClass] ?? Number.NaN;
  add('RDS PostgreSQL', `${d.dbInstanceClass} single-AZ × ${month} h × $${dbHour}`, dbHour * month, true);
  add(
    'RDS storage',
    `${d.dbStorageGb} GB × $${p.rdsStorageGbMonth}`,
    d.dbStorageGb * p.rdsStorageGbMonth,
    true,
  );

  const pullGb = u.stacks * u.startsPerStack * u.services.length * u.imageGbPerPull;
  const natGb = (d.s3GatewayEndpoint ? 0 : pullGb) + u.otherNatGb;
  if (d.nat === 'gateway') {
    add('NAT gateway', `${month} h × $${p.natGatewayHour}`, month * p.natGatewayHour, true);
    add('NAT gateway public IPv4', `1 × ${month} h × $${p.publicIpv4Hour}`, month * p.publicIpv4Hour, true);
    add(
      'NAT gateway data',
      `${round1(natGb)} GB × $${p.natGatewayGb}${d.s3GatewayEndpoint ? ' (image layers via the S3 endpoint)' : ` (incl. ${round1(pullGb)} GB image pulls)`}`,
      natGb * p.natGatewayGb,
      false,
    );
  } else {
    const hour = p.ec2Hour[d.natInstanceType] ?? Number.NaN;
    add('NAT instance', `${d.natInstanceType} × ${month} h × $${hour}`, hour * month, true);
    add('NAT instance disk', `8 GB gp3 × $${p.ebsGp3GbMonth}`, 8 * p.ebsGp3GbMonth, true);
    add('NAT instance public IPv4', `1 × ${month} h × $${p.publicIpv4Hour}`, month * p.publicIpv4Hour, true);
  }
  if (d.ecrInterfaceEndpoints)
    add(
      'ECR interface endpoints',
      `2 × ${d.azs} AZs × ${month} h × $${p.interfaceEndpointHour}`,
      2 * d.azs * month * p.interfaceEndpointHour,
      true,
    );

  const stackRate = fargateRate(p, { capacity: d.stackCapacity, architecture: d.stackArchitecture });
  const stackHour = u.services.reduce((sum, s) => sum + taskHourUsd(stackRate, s.cpu, s.memory), 0);
  const startHours = (u.startsPerStack * u.secondsBilledPerStart) / 3600;
  const stackHours = u.stacks * (u.awakeHoursPerStack + startHours);
  add(
    'Stacks (Fargate)',
    `${u.stacks} × (${u.awakeHoursPerStack} h + ${u.startsPerStack} starts × ${u.secondsBilledPerStart} s) × ${usd(stackHour)}/h ${d.stackArchitecture} ${d.stackCapacity}`,
    stackHours * stackHour,
    false,
  );

  const lambda = u.lambdaGbSeconds * p.lambdaArmGbSecond + (u.lambdaRequests / 1e6) * p.lambdaRequestMillion;
  const sqs = (u.sqsRequests / 1e6) * p.sqsRequestMillion;
  add(
    'Lambda + SQS',
    `${u.lambdaGbSeconds} GB-s, ${u.lambdaRequests} invocations, ${u.sqsRequests} SQS requests`,
    lambda + sqs,
    false,
  );
  add('Secrets Manager', `${u.secrets} secret × $${p.secretMonth}`, u.secrets * p.secretMonth, true);
  add('CloudWatch Logs', `${u.logsGb} GB ingested × $${p.logsIngestGb}`, u.logsGb * p.logsIngestGb, false);
  add(
    'ECR storage',
    `${u.ecrStorageGb} GB × $${p.ecrStorageGbMonth}`,
    u.ecrStorageGb * p.ecrStorageGbMonth,
    false,
  );
  add('Route 53 zone', `${u.hostedZones} × $${p.hostedZoneMonth}`, u.hostedZones * p.hostedZoneMonth, true);
  const outGb = albGb;
  add(
    'Data out to the internet',
    `${outGb} GB, first ${p.dataOutFreeGb} GB/month free`,
    Math.max(0, outGb - p.dataOutFreeGb) * p.dataOutGb,
    false,
  );

  const fixedUsd = sum(lines.filter((l) => l.fixed));
  const variableUsd = sum(lines.filter((l) => !l.fixed));
  return { deployment: d.name, lines, fixedUsd, variableUsd, totalUsd: fixedUsd + variableUsd };
}

const sum = (lines: CostLine[]) => lines.reduce((total, l) => total + l.usd, 0);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The seed's case (issue 17): 15 stacks of web + api at 0.25 vCPU / 0.5 GB, 40 awake hours each. */
export const SEED_USAGE: Usage = {
  stacks: 15,
  services: [
    { cpu: 256, memory: 512 },
    { cpu: 256, memory: 512 },
  ],
  awakeHoursPerStack: 40,
  startsPerStack: 20,
  secondsBilledPerStart: 60,
  imageGbPerPull: 0.2,
  otherNatGb: 2,
  albGbPerAwakeHour: 0.05,
  logsGb: 1,
  ecrStorageGb: 5,
  lambdaGbSeconds: 15_000,
  lambdaRequests: 60_000,
  sqsRequests: 200_000,
  secrets: 1,
  hostedZones: 1,
};

/** The Terraform defaults before issue 17: two edge tasks, on-demand x86 stacks, a NAT gateway. */
export const BEFORE: Deployment = {
  name: 'before (old defaults)',
  edgeTasks: 2,
  edgeCpu: 512,
  edgeMemory: 1024,
  edgeArchitecture: 'X86_64',
  stackCapacity: 'on-demand',
  stackArchitecture: 'X86_64',
  nat: 'gateway',
  natInstanceType: 't4g.nano',
  s3GatewayEndpoint: false,
  ecrInterfaceEndpoints: false,
  azs: 2,
  dbInstanceClass: 'db.t4g.micro',
  dbStorageGb: 20,
};

/** The Terraform defaults now (test/infra.test.ts checks they agree with the .tf files). */
export const DEFAULTS: Deployment = {
  ...BEFORE,
  name: 'defaults',
  edgeTasks: 1,
  edgeCpu: 256,
  edgeMemory: 1024,
  stackCapacity: 'spot',
  nat: 'instance',
  s3GatewayEndpoint: true,
};

/** The Terraform defaults with a deployment's own settings (`thaw deployment add --edge-tasks …`). */
export function deploymentShape(
  shape: {
    edgeTasks?: number | undefined;
    nat?: 'instance' | 'gateway' | undefined;
    arm64?: boolean | undefined;
    spot?: boolean | undefined;
  } = {},
): Deployment {
  const architecture: Architecture = shape.arm64 ? 'ARM64' : 'X86_64';
  return {
    ...DEFAULTS,
    name: 'this deployment',
    edgeTasks: shape.edgeTasks ?? DEFAULTS.edgeTasks,
    nat: shape.nat ?? DEFAULTS.nat,
    edgeArchitecture: architecture,
    stackArchitecture: architecture,
    stackCapacity: shape.spot === false ? 'on-demand' : DEFAULTS.stackCapacity,
  };
}

/** What a deployment costs a month before any stack is awake: the fixed lines of its model. */
export function fixedMonthlyCost(d: Deployment, prices: RegionPrices): { lines: CostLine[]; usd: number } {
  const model = monthlyCost(d, { ...SEED_USAGE, stacks: 0 }, prices);
  return { lines: model.lines.filter((line) => line.fixed && line.usd > 0), usd: model.fixedUsd };
}

/** The defaults plus ARM64 for the edge and the stacks (needs arm64 or multi-arch images). */
export const CHEAPEST: Deployment = {
  ...DEFAULTS,
  name: 'cheapest (defaults + ARM64)',
  edgeArchitecture: 'ARM64',
  stackArchitecture: 'ARM64',
};

/** A markdown table of several models side by side, one row per line item. */
export function renderCostTable(models: CostModel[]): string {
  // Every model's items, each missing one placed after the item it follows in its own model.
  const items: string[] = [];
  for (const m of models) {
    let at = -1;
    for (const { item } of m.lines) {
      const found = items.indexOf(item);
      if (found >= 0) at = found;
      else items.splice(++at, 0, item);
    }
  }
  const cell = (m: CostModel, item: string) => {
    const line = m.lines.find((l) => l.item === item);
    return line ? usd(line.usd) : '—';
  };
  const rows = [
    `| item | ${models.map((m) => m.deployment).join(' | ')} |`,
    `|---|${models.map(() => '---:').join('|')}|`,
    ...items.map((item) => `| ${item} | ${models.map((m) => cell(m, item)).join(' | ')} |`),
    `| **fixed (no stack awake)** | ${models.map((m) => `**${usd(m.fixedUsd)}**`).join(' | ')} |`,
    `| **variable (stacks' use)** | ${models.map((m) => `**${usd(m.variableUsd)}**`).join(' | ')} |`,
    `| **total per month** | ${models.map((m) => `**${usd(m.totalUsd)}**`).join(' | ')} |`,
  ];
  return rows.join('\n');
}

/** How each line of one model was computed. */
export function renderCostDetails(model: CostModel): string {
  return [
    `| item | how | per month |`,
    `|---|---|---:|`,
    ...model.lines.map((l) => `| ${l.item} | ${l.detail} | ${usd(l.usd)} |`),
  ].join('\n');
}
