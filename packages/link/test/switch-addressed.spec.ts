/**
 * Proves routing of Addressed messages (SPEC §4): delivery over the cheapest
 * route, also across switches, failover when that route goes, and datagram
 * semantics for unknown addresses (dropped, no error, nobody disturbed).
 */
import { Switch } from '@streamtasks/link';
import { MODES, attach, connect, isAddressed, settle } from './helpers.js';

describe.each(MODES)('addressed messages ($mode)', ({ serialize }) => {
  let switches: Switch[];
  const make = () => {
    const s = new Switch();
    switches.push(s);
    return s;
  };

  beforeEach(() => {
    switches = [];
  });
  afterEach(() => switches.forEach((s) => s.close()));

  test('go to the cheapest route and fail over when it goes', async () => {
    const hub = make();
    const near = attach(hub, { serialize });
    const far = attach(hub, { serialize, cost: 5 });
    const sender = attach(hub, { serialize });
    near.announce([10]);
    far.announce([10]);
    await sender.until(() => sender.link.addresses.get(10) === 2, 'address 10 at cost 2');
    expect(hub.addressCost(10)).toBe(1);

    sender.sendTo(10, 100, 'first');
    expect(await near.next(isAddressed(10), 'the first message')).toMatchObject({ port: 100 });

    near.withdraw([10]);
    await sender.until(() => sender.link.addresses.get(10) === 6, 'address 10 at cost 6');
    sender.sendTo(10, 101, 'second');
    expect((await far.next(isAddressed(10), 'the second message')).data.value).toBe('second');
    await settle();
    expect(near.received.filter(isAddressed())).toHaveLength(1);
    expect(far.received.filter(isAddressed())).toHaveLength(1);
  });

  test('unknown addresses are dropped without an error and without disturbing anyone', async () => {
    const hub = make();
    const sender = attach(hub, { serialize });
    const other = attach(hub, { serialize });
    other.announce([10]);
    const errors: Error[] = [];
    hub.events.on('error', (e) => errors.push(e));
    sender.sendTo(99, 100, 'nobody');
    sender.sendTo(10, 100, 'somebody');
    await other.next(isAddressed(10), 'the message to 10');
    await settle();
    expect(errors).toEqual([]);
    expect(other.received.filter(isAddressed())).toHaveLength(1);
    expect(sender.received.filter(isAddressed())).toHaveLength(0);
    expect(sender.link.isClosed || other.link.isClosed).toBe(false);
    expect(hub.linkCount).toBe(2);
  });

  test('an address reached through the sender itself is delivered back to it', async () => {
    const hub = make();
    const self = attach(hub, { serialize });
    self.announce([10]);
    await settle();
    self.sendTo(10, 5, 'to myself');
    expect((await self.next(isAddressed(10), 'the message')).data.value).toBe('to myself');
  });

  test('take the cheapest path across switches', async () => {
    // sender - S1 - S2 - S3 - target, plus a direct but expensive S1 - S3 link.
    const [s1, s2, s3] = [make(), make(), make()];
    connect(s1, s2, { serialize });
    connect(s2, s3, { serialize });
    const [direct] = connect(s1, s3, { serialize, cost: 10 });
    const sender = attach(s1, { serialize });
    const target = attach(s3, { serialize });
    target.announce([2n ** 64n - 1n]);
    await sender.until(() => sender.link.addresses.get(2n ** 64n - 1n) === 4, 'the cheap route');
    expect(s2.addressCost(2n ** 64n - 1n)).toBe(2);

    let viaDirect = 0;
    const sendDirect = direct.send.bind(direct);
    direct.send = (m) => {
      if (isAddressed()(m)) viaDirect++;
      return sendDirect(m);
    };
    sender.sendTo(2n ** 64n - 1n, 100, 'hops');
    expect((await target.next(isAddressed(2n ** 64n - 1n), 'the message')).data.value).toBe('hops');
    expect(viaDirect).toBe(0);
  });
});
