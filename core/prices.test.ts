import { describe, expect, it } from 'vitest';
import { hourlyCost } from './cost.ts';
import {
  fargateRate,
  lookupRegion,
  PRICE_TABLE,
  PRICES_READ_ON,
  SPOT_DISCOUNT,
  taskHourUsd,
} from './prices.ts';

const usEast1 = PRICE_TABLE['us-east-1'];

describe('price table', () => {
  it('is dated, and us-east-1 Fargate on-demand is the list price (x86 $0.04048 / $0.004445, ARM $0.03238 / $0.00356)', () => {
    expect(PRICES_READ_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fargateRate(usEast1, { capacity: 'on-demand', architecture: 'X86_64' })).toEqual({
      vcpuHour: 0.04048,
      gbHour: 0.004445,
    });
    expect(fargateRate(usEast1, { capacity: 'on-demand', architecture: 'ARM64' })).toEqual({
      vcpuHour: 0.03238,
      gbHour: 0.00356,
    });
  });

  it.each(['X86_64', 'ARM64'] as const)(
    'Spot %s is the on-demand rate less the Spot discount',
    (architecture) => {
      const onDemand = fargateRate(usEast1, { capacity: 'on-demand', architecture });
      const spot = fargateRate(usEast1, { capacity: 'spot', architecture });
      expect(spot.vcpuHour).toBeCloseTo(onDemand.vcpuHour * (1 - SPOT_DISCOUNT), 8);
      expect(spot.gbHour).toBeCloseTo(onDemand.gbHour * (1 - SPOT_DISCOUNT), 8);
      expect(spot.vcpuHour).toBeLessThan(onDemand.vcpuHour);
    },
  );

  it('ARM is cheaper than x86 for both capacities', () => {
    for (const capacity of ['on-demand', 'spot'] as const) {
      const arm = fargateRate(usEast1, { capacity, architecture: 'ARM64' });
      const x86 = fargateRate(usEast1, { capacity, architecture: 'X86_64' });
      expect(arm.vcpuHour).toBeLessThan(x86.vcpuHour);
      expect(arm.gbHour).toBeLessThan(x86.gbHour);
    }
  });

  it('a known region is found; an unknown one says which regions the table knows', () => {
    expect(lookupRegion('us-east-1')).toMatchObject({ kind: 'found', region: 'us-east-1', prices: usEast1 });
    expect(lookupRegion('mars-north-1')).toEqual({
      kind: 'unknown-region',
      region: 'mars-north-1',
      known: ['us-east-1'],
    });
  });

  it('a task-hour is vCPU × rate + GB × rate (0.25 vCPU / 0.5 GB x86 = $0.0123425)', () => {
    const rate = fargateRate(usEast1, { capacity: 'on-demand', architecture: 'X86_64' });
    expect(taskHourUsd(rate, 256, 512)).toBeCloseTo(0.0123425, 9);
  });

  it('its rate drops into core/cost.ts: web + api at 0.25 vCPU / 0.5 GB is $0.024685 an hour on-demand x86', () => {
    const spec = {
      services: {
        web: { replicas: 1, cpu: 256, memory: 512 },
        api: { replicas: 1, cpu: 256, memory: 512 },
      },
    } as unknown as Parameters<typeof hourlyCost>[0];
    expect(
      hourlyCost(spec, fargateRate(usEast1, { capacity: 'on-demand', architecture: 'X86_64' })),
    ).toBeCloseTo(0.024685, 9);
    expect(hourlyCost(spec, fargateRate(usEast1, { capacity: 'spot', architecture: 'ARM64' }))).toBeCloseTo(
      0.3 * (0.5 * 0.03238 + 1 * 0.00356),
      9,
    );
  });
});
