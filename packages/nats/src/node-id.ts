/** A fresh random node id: 24 letters and digits, so that a restarted node is a new node. */
export function randomNodeId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
}
