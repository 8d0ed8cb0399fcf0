import type { LinkView, NodeView, TopicView } from '@streamtasks/monitoring';
import { formatBytes, formatCount, formatDuration } from './format.js';
import { formatTable } from './table.js';

/** What `streamtasks top` shows below the header. */
export type TopMode = 'links' | 'topics';

/** Sort keys `top` cycles through with `s`, per mode (the monitor's sort keys). */
export const TOP_SORTS: Record<TopMode, readonly string[]> = {
  links: ['msg_rate', 'byte_rate', 'in_msgs', 'out_msgs', 'queued', 'dropped', 'uptime', 'id'],
  topics: ['msg_rate', 'byte_rate', 'messages', 'bytes', 'subscribers', 'topic'],
};

/** One refresh of `top`: what the monitor answered. */
export interface TopFrame {
  monitor: string;
  node: NodeView;
  mode: TopMode;
  sort: string;
  links?: { total: number; links: LinkView[] };
  topics?: { total: number; topics: TopicView[] };
}

/** The header lines: node uptime, links, topics, rates in and out. */
export function headerLines(frame: TopFrame): string[] {
  const n = frame.node;
  return [
    `streamtasks top - ${frame.monitor}${n.name ? ` (${n.name})` : ''}   uptime ${formatDuration(n.uptime_s)}   links ${n.links}   topics ${n.topics}   addresses ${n.addresses}${n.names === null ? '' : `   names ${n.names}`}`,
    `in ${formatCount(n.rate.in_msgs)} msg/s ${formatBytes(n.rate.in_bytes)}/s   out ${formatCount(n.rate.out_msgs)} msg/s ${formatBytes(n.rate.out_bytes)}/s   total in ${formatCount(n.in_msgs)} out ${formatCount(n.out_msgs)}   dropped ${n.switch.dropped + n.switch.unroutable}`,
  ];
}

/** The table of links or topics, sorted by the monitor. */
export function tableLines(frame: TopFrame): string[] {
  if (frame.mode === 'links') {
    const links = frame.links?.links ?? [];
    return formatTable(
      ['ID', 'KIND', 'REMOTE', 'COST', 'MSG/S IN', 'MSG/S OUT', 'BYTES/S IN', 'BYTES/S OUT', 'MSGS IN', 'MSGS OUT', 'QUEUED', 'DROPPED', 'UPTIME'],
      links.map((l) => [
        l.id, l.kind, l.remote ?? '-', l.cost,
        formatCount(l.rate.in_msgs), formatCount(l.rate.out_msgs), formatBytes(l.rate.in_bytes), formatBytes(l.rate.out_bytes),
        formatCount(l.in_msgs), formatCount(l.out_msgs), l.queued_in + l.buffered_out, l.dropped, formatDuration(l.uptime_s),
      ]),
    );
  }
  const topics = frame.topics?.topics ?? [];
  return formatTable(
    ['TOPIC', 'COST', 'PROVIDER', 'SUBS', 'MSG/S', 'BYTES/S', 'MESSAGES', 'BYTES', 'STATE'],
    topics.map((t) => [
      String(t.topic), t.cost === null ? '-' : String(t.cost), t.provider === null ? '-' : `link ${t.provider}`, t.subscribers.length,
      formatCount(t.msg_rate), formatBytes(t.byte_rate), formatCount(t.messages), formatBytes(t.bytes),
      t.paused === null ? '-' : t.paused ? 'paused' : 'running',
    ]),
  );
}
