// The checks an outgoing message passes before it is encoded.
import { InvalidMessageError } from '../errors.js';
import { isCost, isId } from '../ids.js';
import { MessageType, type Message } from '../messages.js';

/** Checks an outgoing message object's ids and costs; throws {@link InvalidMessageError}. */
export function validateMessage(message: Message): void {
  switch (message.type) {
    case MessageType.TopicData:
    case MessageType.TopicControl:
      if (!isId(message.topic)) invalid(message, 'topic');
      return;
    case MessageType.Addressed:
      if (!isId(message.address)) invalid(message, 'address');
      if (!Number.isSafeInteger(message.port) || message.port < 0) invalid(message, 'port');
      return;
    case MessageType.InTopicsChanged:
      for (const id of message.add) if (!isId(id)) invalid(message, 'topic');
      for (const id of message.remove) if (!isId(id)) invalid(message, 'topic');
      return;
    default:
      for (const p of message.add) if (!isId(p.id) || !isCost(p.cost)) invalid(message, 'priced id');
      for (const p of message.remove) if (!isId(typeof p === 'object' ? p.id : p)) invalid(message, 'id');
  }
}

// Not a closure inside validateMessage: that would be created for every message checked.
function invalid(message: Message, what: string): never {
  throw new InvalidMessageError(`invalid ${what} in message type ${message.type}`);
}
