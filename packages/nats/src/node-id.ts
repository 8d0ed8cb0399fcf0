/**
 * A fresh random node id, so that a restarted node is a new node: 64 random
 * bits in base 36, 13 letters and digits. Short on purpose: the id is in the
 * subject of every message a node publishes, and NATS parses subjects byte
 * by byte at every hop.
 */
export function randomNodeId(): string {
  const bits = new BigUint64Array(1);
  crypto.getRandomValues(bits);
  return bits[0]!.toString(36).padStart(13, '0');
}
