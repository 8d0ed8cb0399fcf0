import { Switch, createQueueLinkPair, InTopicsChangedMessage, OutTopicsChangedMessage, TopicDataMessage, RawData, MessageType } from '@streamtasks/link';

test('data flows from provider to subscriber through a switch', async () => {
  for (const serialize of [false, true]) {
    const hub = new Switch();
    const [a, pub] = createQueueLinkPair({ serialize });
    const [b, sub] = createQueueLinkPair({ serialize });
    hub.addLink(a);
    hub.addLink(b);
    pub.send(new OutTopicsChangedMessage([{ id: 100, cost: 0 }], []));
    const announced = await sub.recv({ timeout: 1000 });
    expect(announced.type).toBe(MessageType.OutTopicsChangedRecv);
    sub.send(new InTopicsChangedMessage([100], []));
    const req = await pub.recv({ timeout: 1000 });
    expect(req).toMatchObject({ type: MessageType.InTopicsChanged, add: [100] });
    pub.send(new TopicDataMessage(100, RawData.from({ timestamp: 5, value: 1 })));
    const got = await sub.recv({ timeout: 1000 });
    expect(got.type).toBe(MessageType.TopicData);
    expect((got as TopicDataMessage).data.value).toEqual({ timestamp: 5, value: 1 });
    hub.close();
  }
});
