import { TopicRemappingLink, createQueueLinkPair, type Link } from '@streamtasks/link';
import { describeLinkCompliance, type TransportHarness } from './compliance.js';

function inProcess(open: () => [Link, Link]): () => Promise<TransportHarness> {
  return async () => {
    const opened: Link[] = [];
    return {
      async pair() {
        const pair = open();
        opened.push(...pair);
        return pair;
      },
      async teardown() {
        for (const link of opened) link.close();
      },
    };
  };
}

// Both ends translate with the same map, so ids come out as they went in.
const topicMap: Array<[number, number]> = [
  [1, 1001],
  [2, 1002],
  [3, 1003],
];

describeLinkCompliance('queue link (objects)', inProcess(() => createQueueLinkPair()));
describeLinkCompliance('queue link (serialized)', inProcess(() => createQueueLinkPair({ serialize: true })));
describeLinkCompliance(
  'topic remapping link',
  inProcess(() => {
    const [a, b] = createQueueLinkPair({ serialize: true });
    return [new TopicRemappingLink(a, topicMap), new TopicRemappingLink(b, topicMap)];
  }),
);
