/**
 * How a switch announces routes (SPEC §4): each link hears, for every topic
 * and address, the cheapest route that does not run through itself (split
 * horizon), in one message per kind and event. A change that every link
 * hears alike is made into one message for all of them, encoded once.
 * The property test drives a switch with random announcements, withdrawals,
 * links joining and leaving, and checks after each step that what every
 * link was told adds up to exactly what it should believe.
 */
import fc from 'fast-check';
import {
  AddressesChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
  Switch,
  encodeMessage,
  type Id,
  type Message,
  type PricedId,
} from '@streamtasks/link';
import { ManualLink } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 0x5eed);
const RUNS = Number(process.env.FC_RUNS ?? 200);

const isRoutes = (m: Message): m is OutTopicsChangedMessage | AddressesChangedMessage =>
  m.type === MessageType.OutTopicsChanged || m.type === MessageType.AddressesChanged;

/** What a link was told for one kind: the cost of every id, from the announcements it received in order. */
function believed(link: ManualLink, type: MessageType): Map<Id, number> {
  const costs = new Map<Id, number>();
  for (const m of link.sent) {
    if (m.type !== type || !isRoutes(m)) continue;
    for (const id of m.remove) costs.delete(id);
    for (const p of m.add) costs.set(p.id, p.cost);
  }
  return costs;
}

/** What `link` should believe: the cheapest route through any other attached link. */
function expected(hub: Switch, link: ManualLink, topics: boolean): Map<Id, number> {
  const costs = new Map<Id, number>();
  for (const other of hub.links) {
    if (other === link) continue;
    for (const [id, cost] of topics ? other.outTopics : other.addresses) {
      if (cost < (costs.get(id) ?? Infinity)) costs.set(id, cost);
    }
  }
  return costs;
}

/** The hold-down of a switch ends on a timer of 0 ms; one set now fires after it. */
const afterHoldDown = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

test('a provider announcing many topics: every other link gets one and the same message, encoded once; the provider hears nothing', () => {
  const hub = new Switch();
  const provider = new ManualLink({ cost: 2 });
  const others = Array.from({ length: 5 }, () => new ManualLink());
  for (const link of [provider, ...others]) hub.addLink(link);
  const topics: PricedId[] = Array.from({ length: 100 }, (_, k) => ({ id: 1000 + k, cost: k % 3 }));
  provider.inject(new OutTopicsChangedMessage(topics, []));

  expect(provider.sent.filter(isRoutes)).toEqual([]);
  const heard = others.map((link) => link.sent.filter(isRoutes));
  for (const messages of heard) expect(messages).toHaveLength(1);
  const message = heard[0]![0]!;
  for (const messages of heard) expect(messages[0]).toBe(message);
  expect(message.add).toEqual(topics.map((p) => ({ id: p.id, cost: p.cost + 2 })));
  expect(message.remove).toEqual([]);
  expect(encodeMessage(message)).toBe(encodeMessage(message));
  hub.close();
});

test('the link of the cheapest route hears the second cheapest; the others the cheapest', () => {
  const hub = new Switch();
  const [a, b, c, d] = Array.from({ length: 4 }, () => new ManualLink());
  for (const link of [a!, b!, c!, d!]) hub.addLink(link);
  b!.inject(new OutTopicsChangedMessage([{ id: 7, cost: 5 }], []));
  a!.inject(new OutTopicsChangedMessage([{ id: 7, cost: 1 }], []));
  expect(believed(a!, MessageType.OutTopicsChanged)).toEqual(new Map([[7, 6]]));
  expect(believed(b!, MessageType.OutTopicsChanged)).toEqual(new Map([[7, 2]]));
  expect(believed(c!, MessageType.OutTopicsChanged)).toEqual(new Map([[7, 2]]));
  // c and d heard both costs in the same messages.
  expect(c!.sent.filter(isRoutes)).toEqual(d!.sent.filter(isRoutes));
  hub.close();
});

type Step =
  | { kind: 'join'; cost: number }
  | { kind: 'leave'; which: number }
  | { kind: 'routes'; which: number; topics: boolean; add: Array<[number, number]>; remove: number[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), cost: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), which: fc.nat() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('routes' as const),
      which: fc.nat(),
      topics: fc.boolean(),
      add: fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 })), { maxLength: 4 }),
      remove: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }),
    }),
  },
);

test('after every step, each link believes the cheapest route not through itself; no message is empty or names an id twice', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const hub = new Switch();
      const attached: ManualLink[] = [];
      try {
        for (const s of steps) {
          if (s.kind === 'join') {
            const link = new ManualLink({ cost: s.cost });
            hub.addLink(link);
            attached.push(link);
          } else if (attached.length > 0 && s.kind === 'leave') {
            hub.removeLink(attached.splice(s.which % attached.length, 1)[0]!);
          } else if (attached.length > 0 && s.kind === 'routes') {
            const link = attached[s.which % attached.length]!;
            // One id once per message, as a peer sends it.
            const add = [...new Map(s.add).entries()].map(([id, cost]) => ({ id, cost }));
            const remove = [...new Set(s.remove)].filter((id) => !add.some((p) => p.id === id));
            link.inject(s.topics ? new OutTopicsChangedMessage(add, remove) : new AddressesChangedMessage(add, remove));
          }
          await afterHoldDown();
          for (const link of attached) {
            expect(believed(link, MessageType.OutTopicsChanged)).toEqual(expected(hub, link, true));
            expect(believed(link, MessageType.AddressesChanged)).toEqual(expected(hub, link, false));
          }
        }
        for (const link of attached) {
          for (const m of link.sent.filter(isRoutes)) {
            const ids = [...m.add.map((p) => p.id), ...m.remove];
            expect(ids.length).toBeGreaterThan(0);
            expect(new Set(ids).size).toBe(ids.length);
          }
        }
      } finally {
        hub.close();
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
