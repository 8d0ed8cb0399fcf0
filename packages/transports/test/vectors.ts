import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The golden vectors recorded from the Python reference (see vectors/README.md). */
const VECTORS_DIR = process.env['STREAMTASKS_VECTORS'] ?? join(__dirname, '../../../../shared/vectors');

export function loadVectors<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export interface FramingVectors {
  sync_word_hex: string;
  frames: Array<{ payload_hex: string; payload_len: number; frame_hex: string }>;
  stream_of_both_hex: string;
}

export interface HandshakeVectors {
  version_string: string;
  default_costs: Record<'WEBSOCKET' | 'TCP' | 'UNIX' | 'NODE', number>;
  client_hello: { url: string; raw_bytes_hex: string; frame_payload_hex: string; decoded: Record<string, string> };
  accept: {
    client_to_server_frames: Array<{ hex: string; decoded: Record<string, unknown> }>;
    server_to_client_frames: Array<{ hex: string; decoded: Record<string, unknown> }>;
    outcome: { result: string; client_link_cost: number };
  };
  reject_wrong_auth: {
    client_url: string;
    client_to_server_frames: Array<{ hex: string }>;
    server_to_client_frames: Array<{ hex: string }>;
  };
  reject_version_mismatch: { client_hello_hex: string; server_reply_hex: string };
  accept_with_server_extras: { server_reply_hex: string; server_reply: Record<string, unknown> };
  url_parsing: Array<{ url: string; class: string; cost: number; handshake_data: Record<string, string> }>;
}
