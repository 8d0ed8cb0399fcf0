// Type tests, checked by `npm run typecheck` (tsc over test/**), never run:
// the event maps of Link, Switch, Client and topics have exact keys, so a
// misspelled event name or a listener of the wrong shape does not compile.
import type { Client } from '@streamtasks/client';
import { Emitter, type Link, type Switch } from '@streamtasks/link';
import type { InTopic, OutTopic } from '@streamtasks/topic';

declare const link: Link;
declare const hub: Switch;
declare const client: Client;
declare const inTopic: InTopic;
declare const outTopic: OutTopic;

export function events(): void {
  link.events.on('close', (reason: Error | undefined) => void reason);
  // @ts-expect-error a Link has no 'eror' event
  link.events.on('eror', () => {});
  // @ts-expect-error 'drain' listeners get no arguments
  link.events.on('drain', (n: number) => void n);

  hub.events.on('link-removed', (removed: Link, reason: Error | undefined) => void [removed, reason]);
  // @ts-expect-error a Switch has no 'link-closed' event
  hub.events.on('link-closed', () => {});

  client.events.on('address-changed', (address) => void address);
  // @ts-expect-error a Client has no 'closed' event (it is 'close')
  client.events.on('closed', () => {});
  // @ts-expect-error emitting takes the event's arguments
  client.events.emit('error');

  inTopic.events.on('slow-consumer', (dropped: number) => void dropped);
  // @ts-expect-error an InTopic has no 'slow' event
  inTopic.events.on('slow', () => {});
  outTopic.events.on('requested', (requested: boolean) => void requested);
  // @ts-expect-error 'requested' passes a boolean
  outTopic.events.on('requested', (requested: string) => void requested);

  // A user's own emitter gets the same checks.
  const own = new Emitter<{ tick: [n: number] }>();
  own.emit('tick', 1);
  // @ts-expect-error an event the map does not name
  own.emit('tock', 1);
}
