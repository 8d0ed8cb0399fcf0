/** Network name used when a URL or the options give none. */
export const DEFAULT_NETWORK = 'default';

/**
 * Cost a NATS link adds to every route it receives. A message crosses two
 * TCP hops (node → server → node), so NATS costs twice a direct TCP link
 * (100): where two nodes are joined both ways, the direct link wins.
 */
export const DEFAULT_NATS_COST = 200;

/** Milliseconds between two heartbeats of a node. */
export const DEFAULT_HEARTBEAT_INTERVAL = 1000;

/**
 * Milliseconds without a word from a node after which it is declared dead
 * and its routes are withdrawn. A node dies at most this long after its last
 * heartbeat, so within 2.5 s of being killed.
 */
export const DEFAULT_DEAD_AFTER = 2500;

/** Largest message that crosses NATS, split into pieces of the server's `max_payload`: 16 MiB, the frame limit. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** Bytes kept for headers in each piece of a split message. */
export const PIECE_HEADROOM = 512;

/**
 * Bytes of unfinished split messages kept per sending node; a sender that
 * goes above loses its oldest unfinished message (a counted drop).
 */
export const DEFAULT_REASSEMBLY_LIMIT = 32 * 1024 * 1024;

/** Milliseconds an unfinished split message may wait for its next piece before it is dropped. */
export const REASSEMBLY_TIMEOUT = 5000;

/** Published bytes not yet confirmed by the server above which `send()` returns false: 4 MiB. */
export const DEFAULT_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * Data and control sent on one topic in a row are published as one NATS
 * message of up to this many bytes (or the server's `max_payload`, if that
 * is smaller); a single larger message goes alone.
 */
export const TOPIC_BATCH_BYTES = 32 * 1024;
