import type { Switch } from '@streamtasks/link';
import type { DiscoveryService } from '@streamtasks/discovery';

/** What a monitor watches: a node's switch and what runs beside it in the process. */
export interface MonitorTarget {
  readonly switch: Switch;
  /** The discovery service, when it runs in this process (names and discovery stats come from it). */
  readonly discovery?: DiscoveryService | undefined;
  /** The URLs the node listens on; `ws://` ones let the dashboard subscribe to topics. */
  readonly urls?: readonly string[] | (() => readonly string[]);
  /** A name for the node, shown by `/node` and the dashboard. */
  readonly name?: string;
}

export function targetUrls(target: MonitorTarget): readonly string[] {
  const urls = target.urls;
  return typeof urls === 'function' ? urls() : (urls ?? []);
}
