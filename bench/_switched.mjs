// A publisher link and a subscriber link joined by one Switch, in-process:
// the pipeline of the in-process pub/sub benchmarks (link-pubsub,
// stats-overhead), set up and subscribed, ready for TopicData.
import {
  Switch,
  createQueueLinkPair,
  InTopicsChangedMessage,
  MessageType,
  OutTopicsChangedMessage,
} from '@streamtasks/link';

/**
 * Resolves once `topic` is provided by the publisher and requested by the
 * subscriber; `onData` receives every TopicData message the subscriber gets.
 * `linkOptions` go to both queue link pairs, `switchOptions` to the Switch.
 */
export async function switchedPair({ topic, onData, linkOptions = {}, switchOptions = {} }) {
  const hub = new Switch(switchOptions);
  const [pubSide, pub] = createQueueLinkPair(linkOptions);
  const [subSide, sub] = createQueueLinkPair(linkOptions);
  hub.addLink(pubSide);
  hub.addLink(subSide);
  pub.send(new OutTopicsChangedMessage([{ id: topic, cost: 0 }], []));
  while ((await sub.recv({ timeout: 5000 })).type !== MessageType.OutTopicsChangedRecv);
  sub.setReceiver((m) => {
    if (m.type === MessageType.TopicData) onData(m);
  });
  sub.send(new InTopicsChangedMessage([topic], []));
  while ((await pub.recv({ timeout: 5000 })).type !== MessageType.InTopicsChanged);
  pub.setReceiver(() => {});
  return {
    hub,
    pub,
    close() {
      hub.close();
      pub.close();
      sub.close();
    },
  };
}
