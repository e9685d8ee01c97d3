import { XMLParser } from 'fast-xml-parser';

// Inbound pushes from the platform as typed values. Every field stays a string from the XML except
// CreateTime; MsgId is 64-bit and must never pass through a JS number.

interface Common {
  /** Our account's id. */
  toUserName: string;
  /** The follower's openid. */
  fromUserName: string;
  /** Seconds since the epoch, as the platform stamped it. */
  createTime: number;
}

interface MessageCommon extends Common {
  isEvent: false;
  msgId: string;
}

interface EventCommon extends Common {
  isEvent: true;
}

export type TextMessage = MessageCommon & { type: 'text'; content: string };
export type ImageMessage = MessageCommon & { type: 'image'; picUrl: string; mediaId: string };
export type VoiceMessage = MessageCommon & { type: 'voice'; mediaId: string; format: string; recognition?: string };
export type VideoMessage = MessageCommon & { type: 'video' | 'shortvideo'; mediaId: string; thumbMediaId: string };
export type LocationMessage = MessageCommon & {
  type: 'location';
  latitude: string;
  longitude: string;
  scale: string;
  label: string;
};
export type LinkMessage = MessageCommon & { type: 'link'; title: string; description: string; url: string };

export type SubscribeEvent = EventCommon & {
  type: 'subscribe';
  /** The scene of a parametric QR code (EventKey without its `qrscene_` prefix). */
  scene?: string;
  ticket?: string;
};
export type UnsubscribeEvent = EventCommon & { type: 'unsubscribe' };
export type ScanEvent = EventCommon & { type: 'SCAN'; scene: string; ticket?: string };
export type LocationEvent = EventCommon & { type: 'LOCATION'; latitude: string; longitude: string; precision: string };
export type ClickEvent = EventCommon & { type: 'CLICK'; eventKey: string };
export type ViewEvent = EventCommon & { type: 'VIEW'; url: string };
export type TemplateSendJobFinishEvent = EventCommon & { type: 'TEMPLATESENDJOBFINISH'; msgId: string; status: string };
/** A MsgType or Event we do not know; answered `success`. */
export type UnknownInbound = Common & { type: 'unknown'; isEvent: boolean; msgType: string; event?: string; msgId?: string };

export type InboundMessage =
  | TextMessage
  | ImageMessage
  | VoiceMessage
  | VideoMessage
  | LocationMessage
  | LinkMessage
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | ClickEvent
  | ViewEvent
  | TemplateSendJobFinishEvent
  | UnknownInbound;

export type InboundType = InboundMessage['type'];

export class XmlRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejectedError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No entity expansion at all: the platform never sends entities and expansion is an attack surface.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** Parses an `<xml>` document and returns its root element as nested objects of strings. */
export function parseXmlRoot(xml: string): Record<string, unknown> {
  // DTDs carry entity definitions (billion laughs, external entities): refuse them outright.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlRejectedError('DTDs are not accepted');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch {
    throw new XmlRejectedError('malformed XML');
  }
  const root = (doc as { xml?: unknown } | undefined)?.xml;
  if (!root || typeof root !== 'object') throw new XmlRejectedError('no <xml> root');
  return root as Record<string, unknown>;
}

/** Parses the `<xml>` envelope into a flat map of its child elements (strings only). */
export function parseXmlFields(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseXmlRoot(xml))) {
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fields[name] = String(value);
  }
  return fields;
}

const str = (fields: Record<string, string>, name: string) => fields[name] ?? '';
const opt = (fields: Record<string, string>, name: string) => (fields[name] ? fields[name] : undefined);

/** Turns the fields of a decrypted push into a typed message. Unknown kinds come back as `unknown`. */
export function toInboundMessage(fields: Record<string, string>): InboundMessage {
  const fromUserName = str(fields, 'FromUserName');
  const toUserName = str(fields, 'ToUserName');
  if (!fromUserName || !toUserName) throw new XmlRejectedError('missing FromUserName or ToUserName');
  const createTime = Number(str(fields, 'CreateTime'));
  if (!Number.isSafeInteger(createTime) || createTime < 0) throw new XmlRejectedError('bad CreateTime');
  const msgType = str(fields, 'MsgType');
  const common = { toUserName, fromUserName, createTime };

  if (msgType === 'event') {
    const ev = { ...common, isEvent: true as const };
    const event = str(fields, 'Event');
    const eventKey = str(fields, 'EventKey');
    switch (event) {
      case 'subscribe': {
        const scene = eventKey.startsWith('qrscene_') ? eventKey.slice('qrscene_'.length) : undefined;
        return { ...ev, type: 'subscribe', ...(scene ? { scene } : {}), ...(opt(fields, 'Ticket') ? { ticket: fields.Ticket! } : {}) };
      }
      case 'unsubscribe':
        return { ...ev, type: 'unsubscribe' };
      case 'SCAN':
        return { ...ev, type: 'SCAN', scene: eventKey, ...(opt(fields, 'Ticket') ? { ticket: fields.Ticket! } : {}) };
      case 'LOCATION':
        return {
          ...ev,
          type: 'LOCATION',
          latitude: str(fields, 'Latitude'),
          longitude: str(fields, 'Longitude'),
          precision: str(fields, 'Precision'),
        };
      case 'CLICK':
        return { ...ev, type: 'CLICK', eventKey };
      case 'VIEW':
        return { ...ev, type: 'VIEW', url: eventKey };
      case 'TEMPLATESENDJOBFINISH':
        return { ...ev, type: 'TEMPLATESENDJOBFINISH', msgId: str(fields, 'MsgID') || str(fields, 'MsgId'), status: str(fields, 'Status') };
      default:
        return { ...common, type: 'unknown', isEvent: true, msgType, event };
    }
  }

  const msgId = str(fields, 'MsgId');
  const msg = { ...common, isEvent: false as const, msgId };
  switch (msgType) {
    case 'text':
      return { ...msg, type: 'text', content: str(fields, 'Content') };
    case 'image':
      return { ...msg, type: 'image', picUrl: str(fields, 'PicUrl'), mediaId: str(fields, 'MediaId') };
    case 'voice': {
      const recognition = opt(fields, 'Recognition');
      return {
        ...msg,
        type: 'voice',
        mediaId: str(fields, 'MediaId'),
        format: str(fields, 'Format'),
        ...(recognition ? { recognition } : {}),
      };
    }
    case 'video':
    case 'shortvideo':
      return { ...msg, type: msgType, mediaId: str(fields, 'MediaId'), thumbMediaId: str(fields, 'ThumbMediaId') };
    case 'location':
      return {
        ...msg,
        type: 'location',
        latitude: str(fields, 'Location_X'),
        longitude: str(fields, 'Location_Y'),
        scale: str(fields, 'Scale'),
        label: str(fields, 'Label'),
      };
    case 'link':
      return { ...msg, type: 'link', title: str(fields, 'Title'), description: str(fields, 'Description'), url: str(fields, 'Url') };
    default:
      return { ...common, type: 'unknown', isEvent: false, msgType, ...(msgId ? { msgId } : {}) };
  }
}

/**
 * The key that identifies one delivery across the platform's retries: FromUserName + MsgId for
 * messages (a MsgId alone is no secret: another sender reusing it must not share its delivery),
 * FromUserName + CreateTime + Event for events.
 */
export function deliveryKey(message: InboundMessage): string {
  if (!message.isEvent && 'msgId' in message && message.msgId) return `msg:${message.fromUserName}:${message.msgId}`;
  const event = message.type === 'unknown' ? (message.event ?? message.msgType) : message.type;
  return `evt:${message.fromUserName}:${message.createTime}:${event}`;
}
