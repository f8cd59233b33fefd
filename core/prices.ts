/**
 * AWS list prices (USD) that Thaw's cost figures are computed from: per region, dated, with where each
 * was read. Pure data and lookups, for `thaw cost`, the PR comment and docs/cost.md
 * (`node scripts/cost-model.mjs`). Prices change: update PRICES_READ_ON and the sources together.
 */

/** When the figures below were last checked against their sources. */
export const PRICES_READ_ON = '2026-11-30';

export type Architecture = 'X86_64' | 'ARM64';
export type Capacity = 'on-demand' | 'spot';

/** Per vCPU-hour and per GB-hour; the shape of core/cost.ts FargatePrices. */
export interface FargateRate {
  vcpuHour: number;
  gbHour: number;
}

export interface RegionPrices {
  fargate: Record<Capacity, Record<Architecture, FargateRate>>;
  /** Application Load Balancer: per hour, per LCU-hour. */
  albHour: number;
  albLcuHour: number;
  /** Every public IPv4 address (ALB nodes, NAT gateway EIP, NAT instance), per hour. */
  publicIpv4Hour: number;
  natGatewayHour: number;
  natGatewayGb: number;
  /** Interface VPC endpoint: per endpoint per AZ per hour, and per GB processed (first PB). */
  interfaceEndpointHour: number;
  interfaceEndpointGb: number;
  ec2Hour: Record<string, number>;
  ebsGp3GbMonth: number;
  rdsHour: Record<string, number>;
  /** RDS General Purpose SSD storage per GB-month (single-AZ). */
  rdsStorageGbMonth: number;
  secretMonth: number;
  logsIngestGb: number;
  ecrStorageGbMonth: number;
  lambdaArmGbSecond: number;
  lambdaRequestMillion: number;
  sqsRequestMillion: number;
  hostedZoneMonth: number;
  dataOutGb: number;
  /** Data transfer out to the internet free each month (per account, all services). */
  dataOutFreeGb: number;
}

/**
 * Fargate Spot has no list price: it moves with spare capacity. AWS says "up to 70%" off on-demand;
 * the table uses that, so Spot figures are a best case (docs/cost.md shows the on-demand bound too).
 */
export const SPOT_DISCOUNT = 0.7;

const spot = (rate: FargateRate): FargateRate => ({
  vcpuHour: round(rate.vcpuHour * (1 - SPOT_DISCOUNT)),
  gbHour: round(rate.gbHour * (1 - SPOT_DISCOUNT)),
});
const round = (n: number) => Math.round(n * 1e8) / 1e8;

const US_EAST_1_FARGATE: Record<Architecture, FargateRate> = {
  X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
};

export const PRICE_TABLE = {
  'us-east-1': {
    fargate: {
      'on-demand': US_EAST_1_FARGATE,
      spot: { X86_64: spot(US_EAST_1_FARGATE.X86_64), ARM64: spot(US_EAST_1_FARGATE.ARM64) },
    },
    albHour: 0.0225,
    albLcuHour: 0.008,
    publicIpv4Hour: 0.005,
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    interfaceEndpointHour: 0.01,
    interfaceEndpointGb: 0.01,
    ec2Hour: { 't4g.nano': 0.0042, 't4g.micro': 0.0084 },
    ebsGp3GbMonth: 0.08,
    rdsHour: { 'db.t4g.micro': 0.016, 'db.t4g.small': 0.032 },
    rdsStorageGbMonth: 0.115,
    secretMonth: 0.4,
    logsIngestGb: 0.5,
    ecrStorageGbMonth: 0.1,
    lambdaArmGbSecond: 0.0000133334,
    lambdaRequestMillion: 0.2,
    sqsRequestMillion: 0.4,
    hostedZoneMonth: 0.5,
    dataOutGb: 0.09,
    dataOutFreeGb: 100,
  },
} as const satisfies Record<string, RegionPrices>;

export type Region = keyof typeof PRICE_TABLE;
export const REGIONS = Object.keys(PRICE_TABLE) as Region[];

/** Where each price was read (docs/cost.md cites these). */
export const PRICE_SOURCES: { items: string; source: string; read: string }[] = [
  {
    items: 'Fargate Linux x86 $0.04048/vCPU-h, $0.004445/GB-h; ARM $0.03238, $0.00356',
    source:
      'https://aws.amazon.com/fargate/pricing/ (rates as quoted by https://www.vantage.sh/blog/fargate-pricing)',
    read: '2026-11-30',
  },
  {
    items: 'Fargate Spot: "up to a 70% discount", two-minute interruption warning, ARM64 on platform 1.4.0+',
    source:
      'https://aws.amazon.com/fargate/pricing/ and https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html',
    read: '2026-11-30',
  },
  {
    items: 'ALB $0.0225/h, $0.008/LCU-h (1 GB/h processed per LCU for IP targets)',
    source:
      'https://aws.amazon.com/elasticloadbalancing/pricing/ (page read 2026-09-20 per api-evangelist transcript)',
    read: '2026-11-30',
  },
  {
    items: 'NAT gateway $0.045/h + $0.045/GB',
    source: 'https://aws.amazon.com/vpc/pricing/ (page read 2026-09-20 per api-evangelist transcript)',
    read: '2026-11-30',
  },
  {
    items: 'Public IPv4 $0.005/h per address (since 2024-02-01)',
    source: 'https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address tab)',
    read: '2026-11-30',
  },
  {
    items: 'Interface endpoint $0.01/h per AZ, $0.01/GB (first PB); S3 gateway endpoint free',
    source: 'https://aws.amazon.com/privatelink/pricing/',
    read: '2026-11-30',
  },
  {
    items: 'RDS PostgreSQL db.t4g.micro single-AZ $0.016/h; storage $0.115/GB-month',
    source: 'https://aws.amazon.com/rds/postgresql/pricing/ (as tabulated by infratally.com, 2026)',
    read: '2026-11-30',
  },
  {
    items: 'EC2 t4g.nano $0.0042/h',
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/ (as quoted by the fck-nat README)',
    read: '2026-11-30',
  },
];

export type RegionLookup =
  | { kind: 'found'; region: Region; prices: RegionPrices }
  | { kind: 'unknown-region'; region: string; known: Region[] };

/** The price table of a region, or which regions the table knows. */
export function lookupRegion(region: string): RegionLookup {
  return region in PRICE_TABLE
    ? { kind: 'found', region: region as Region, prices: PRICE_TABLE[region as Region] }
    : { kind: 'unknown-region', region, known: REGIONS };
}

/** Fargate's rate for the capacity (Spot or on-demand) and architecture a stack actually runs on. */
export function fargateRate(
  prices: RegionPrices,
  run: { capacity: Capacity; architecture: Architecture },
): FargateRate {
  return prices.fargate[run.capacity][run.architecture];
}

/** Cost of one task for an hour: CPU in ECS units (1024 = 1 vCPU), memory in MiB. */
export function taskHourUsd(rate: FargateRate, cpu: number, memory: number): number {
  return (cpu / 1024) * rate.vcpuHour + (memory / 1024) * rate.gbHour;
}

export const HOURS_PER_MONTH = 730;
