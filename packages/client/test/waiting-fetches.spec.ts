// The table of fetches waiting by return port: a ring slot per port, a Map
// for an entry whose slot a much older one still holds.
import { WaitingFetches } from '../src/fetch/waiting-fetches.js';

const entry = (port: number) => ({ port });

describe('WaitingFetches', () => {
  test('finds what was added, by port, until it is deleted', () => {
    const table = new WaitingFetches<{ port: number }>();
    expect(table.get(10_000)).toBeUndefined();
    expect(table.values()).toEqual([]);
    const a = entry(10_000);
    const b = entry(10_001);
    table.add(a);
    table.add(b);
    expect(table.size).toBe(2);
    expect(table.get(10_000)).toBe(a);
    expect(table.has(10_001)).toBe(true);
    expect(table.has(10_002)).toBe(false);
    table.delete(a);
    expect(table.get(10_000)).toBeUndefined();
    expect(table.get(10_001)).toBe(b);
    expect(table.size).toBe(1);
  });

  test('ports on the same slot both wait (the later one beside the ring), whichever goes first', () => {
    const table = new WaitingFetches<{ port: number }>();
    const old = entry(10_000);
    const later = entry(10_000 + 256);
    const latest = entry(10_000 + 512);
    table.add(old);
    table.add(later);
    table.add(latest);
    expect([table.get(old.port), table.get(later.port), table.get(latest.port)]).toEqual([old, later, latest]);
    expect(table.has(10_000 + 768)).toBe(false);
    table.delete(old);
    expect(table.get(old.port)).toBeUndefined();
    expect(table.get(later.port)).toBe(later);
    table.delete(latest);
    expect(table.get(latest.port)).toBeUndefined();
    expect(table.values()).toEqual([later]);
    // The freed slot takes the next port that falls on it.
    const next = entry(10_000 + 1024);
    table.add(next);
    expect(table.get(next.port)).toBe(next);
    expect(table.size).toBe(2);
  });

  test('ports at the top of the range and after the counter wraps', () => {
    const table = new WaitingFetches<{ port: number }>();
    const top = entry(0xffff_ffff);
    const wrapped = entry(0xffff_ffff - 255);
    table.add(top);
    table.add(wrapped);
    expect(table.get(0xffff_ffff)).toBe(top);
    expect(table.get(0xffff_ffff - 255)).toBe(wrapped);
  });

  test('values() is a snapshot: deleting while going through it is safe', () => {
    const table = new WaitingFetches<{ port: number }>();
    const all = [entry(10_000), entry(10_001), entry(10_256)];
    for (const e of all) table.add(e);
    const seen = table.values();
    for (const e of seen) table.delete(e);
    expect(new Set(seen)).toEqual(new Set(all));
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
  });
});
