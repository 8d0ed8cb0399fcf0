// Everything that runs in browsers and in Node alike.
export {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_COSTS,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_QUEUED_MESSAGES,
  PROTOCOL_VERSION,
} from './constants.js';
export {
  FrameTooLargeError,
  HandshakeError,
  HandshakeRejectedError,
  InvalidUrlError,
  SkippedBytesError,
  type RejectReason,
} from './errors.js';
export { parseUrl, formatUrl, type ConnectionUrl, type Scheme } from './url.js';
export type { FrameChannel, FrameChannelHandler } from './channel.js';
export type { HandshakeData } from './handshake.js';
export { ConnectionLink, type ConnectionLinkOptions } from './connection-link.js';
export type { WebSocketLike } from './websocket-channel.js';
export type { ClientOptions } from './establish.js';
export { connectWebSocket, type WebSocketConnectOptions, type WebSocketConstructor } from './websocket-connect.js';
export {
  Reconnector,
  type ReconnectorEvents,
  type ReconnectorOptions,
  type ReconnectorState,
  type ReconnectorStatus,
} from './reconnector.js';
export {
  ReconnectingConnection,
  type ConnectionStatus,
  type ReconnectingConnectionEvents,
  type ReconnectingOptions,
  type RestoreHook,
} from './reconnecting-connection.js';
