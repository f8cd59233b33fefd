import { describe, expect, it } from 'vitest';
import { createHoldRoom, createSharedReads } from './hold.ts';

describe('createHoldRoom', () => {
  it('seats at most maxPerStack per stack and maxTotal overall; a release frees its seat once', () => {
    const room = createHoldRoom({ maxPerStack: 2, maxTotal: 3 });
    const a1 = room.enter('a');
    const a2 = room.enter('a');
    expect(a1 && a2).toBeTruthy();
    expect(room.enter('a')).toBeUndefined();
    const b1 = room.enter('b');
    expect(b1).toBeDefined();
    expect(room.enter('c')).toBeUndefined();
    a1!();
    a1!();
    expect(room.held()).toEqual({ total: 2, stacks: 2 });
    expect(room.enter('c')).toBeDefined();
    expect(room.enter('a')).toBeUndefined();
  });
});

describe('createSharedReads', () => {
  it('one load per key per interval, shared by every caller; a failed load is not kept', async () => {
    let now = 0;
    const read = createSharedReads<number>({ intervalMs: 250, clock: () => now });
    let loads = 0;
    const load = async () => ++loads;
    const answers = await Promise.all(Array.from({ length: 50 }, () => read('s', load)));
    expect(new Set(answers)).toEqual(new Set([1]));
    now = 249;
    expect(await read('s', load)).toBe(1);
    now = 250;
    expect(await read('s', load)).toBe(2);
    const failing = read('t', async () => Promise.reject(new Error('down')));
    await expect(failing).rejects.toThrow('down');
    expect(await read('t', load)).toBe(3);
  });
});
