/**
 * What the other `@streamtasks/*` packages (and this package's tests) need
 * from the transports beyond the public API: framing, the frame parser, the
 * handshake steps and the channels under `ConnectionLink`. Imported as
 * `@streamtasks/transports/internal` by sibling packages only; it carries no
 * semver promise and may change in any release. Node only (the socket
 * channel imports `node:net`).
 *
 * @packageDocumentation
 */
export { FRAME_HEADER_SIZE, MAX_HANDSHAKE_FRAME_SIZE, SYNC_WORD } from './constants.js';
export { encodeFrame, writeFrameHeader } from './framing.js';
export { FrameParser, type FrameParserOptions } from './frame-parser.js';
export { checkHello, checkReply, clientHandshake, decodeHandshake, encodeHello, encodeReply, serverHandshake } from './handshake.js';
export { checkConnectionLinkOptions } from './connection-link.js';
export { CLOSE_CODES, WebSocketChannel, type WebSocketChannelOptions } from './websocket-channel.js';
export { establish } from './establish.js';
export { webSocketAddress } from './websocket-connect.js';
export { SocketChannel, type SocketChannelOptions } from './socket-channel.js';
export { FlushHold, LARGE_READ, MAX_HELD_BYTES, MAX_HELD_TURNS, WORTH_A_WRITE, flushHold, type HeldChannel } from './flush-hold.js';
