import { FRAME_HEADER_SIZE, SYNC_WORD } from './constants.js';

/** Writes the sync word and the little-endian length of a frame at `offset`. */
export function writeFrameHeader(target: Uint8Array, offset: number, length: number): void {
  target[offset] = SYNC_WORD[0]!;
  target[offset + 1] = SYNC_WORD[1]!;
  target[offset + 2] = SYNC_WORD[2]!;
  target[offset + 3] = SYNC_WORD[3]!;
  target[offset + 4] = length & 0xff;
  target[offset + 5] = (length >>> 8) & 0xff;
  target[offset + 6] = (length >>> 16) & 0xff;
  target[offset + 7] = (length >>> 24) & 0xff;
}

/** Returns one complete frame (header and a copy of the payload) for a byte stream. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  writeFrameHeader(frame, 0, payload.length);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}
