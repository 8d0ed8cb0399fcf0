import type { Id } from '@streamtasks/link';

/**
 * The subject layout, version 2. Subjects are a public contract: a node of
 * another implementation that uses the same subjects and payloads joins the
 * same network. A change that old nodes would misread gets a new version
 * token (`v3`), never a new meaning for an old one (version 1 carried
 * frames on topic subjects).
 *
 * `P` is `streamtasks.v2.<network>`; `<node>` is a node id (letters and
 * digits), `<topic>` a topic id in decimal.
 *
 * | subject                    | who subscribes        | carries                                   |
 * |----------------------------|-----------------------|-------------------------------------------|
 * | `P.state.<node>`           | every node (`P.state.*`) | the node's route changes, heartbeats, goodbye |
 * | `P.hello`                  | every node            | a joining node's full state; reply subject `P.snap.<node>` |
 * | `P.ask.<node>`             | that node             | "send me your full state"; reply subject `P.snap.<asker>` |
 * | `P.snap.<node>`            | that node             | full states sent to it                    |
 * | `P.node.<node>`            | that node             | addressed messages, topic states for a new subscriber |
 * | `P.topic.<node>.<topic>`   | nodes that requested the topic from that node | the topic's data and control, in batches of entries (see `topic-batch.ts`) |
 */
export class Subjects {
  readonly prefix: string;
  readonly hello: string;
  readonly allStates: string;
  readonly allTopics: string;

  constructor(readonly network: string) {
    if (!isNetworkName(network)) throw new RangeError(`invalid network name ${JSON.stringify(network)}: use 1–64 letters, digits, '-' or '_'`);
    this.prefix = `streamtasks.v2.${network}`;
    this.hello = `${this.prefix}.hello`;
    this.allStates = `${this.prefix}.state.*`;
    this.allTopics = `${this.prefix}.topic.>`;
  }

  state(node: string): string {
    return `${this.prefix}.state.${node}`;
  }

  ask(node: string): string {
    return `${this.prefix}.ask.${node}`;
  }

  snap(node: string): string {
    return `${this.prefix}.snap.${node}`;
  }

  node(node: string): string {
    return `${this.prefix}.node.${node}`;
  }

  topic(provider: string, topic: Id): string {
    return `${this.prefix}.topic.${provider}.${topic}`;
  }

  /** The node id in `P.state.<node>`, or undefined for anything else. */
  stateSender(subject: string): string | undefined {
    return lastToken(subject, `${this.prefix}.state.`);
  }

  /** The node a full state is for, from a reply subject `P.snap.<node>`; undefined for anything else. */
  snapTarget(subject: string): string | undefined {
    return lastToken(subject, `${this.prefix}.snap.`);
  }
}

const NODE_ID = /^[A-Za-z0-9]{1,64}$/;

/** True for a node id as it appears in subjects. */
export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

/** True for a usable network name (one subject token). */
export function isNetworkName(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

function lastToken(subject: string, prefix: string): string | undefined {
  if (!subject.startsWith(prefix)) return undefined;
  const token = subject.slice(prefix.length);
  return isNodeId(token) ? token : undefined;
}
