// Photos on a ticket: the bytes live in the database (several instances share it, none has a disk of
// its own). At most six per ticket, held by the primary key: each photo takes a numbered slot whose _id
// is `<ticketId>:<slot>`, and an insert into a taken slot fails on every engine, so concurrent uploads
// can never make a seventh.
import mongoose, { Schema, type Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { AppError } from '../platform/http/errors';
import { badRequest, conflict, notFound } from '../platform/errors';

export const MAX_PHOTOS_PER_TICKET = 6;
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** A multipart envelope around the largest photo: boundary lines, part headers, a few small fields. */
export const MAX_UPLOAD_BODY_BYTES = MAX_PHOTO_BYTES + 64 * 1024;

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

const photoSchema = new Schema(
  {
    _id: { type: String, required: true },
    ticketId: { type: Schema.Types.ObjectId, required: true },
    slot: { type: Number, required: true },
    contentType: { type: String, enum: ['image/jpeg', 'image/png', 'image/webp'], required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true, personal: true },
    uploadedBy: { kind: { type: String, required: true }, id: String },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
photoSchema.index({ ticketId: 1 });

export const TicketPhoto = mongoose.model('TicketPhoto', photoSchema, 'ticket_photos');

export interface PhotoMeta {
  id: string;
  contentType: PhotoType;
  size: number;
  at: Date;
}

const slotKey = (ticketId: Types.ObjectId | string, slot: number) => `${String(ticketId)}:${slot}`;
const SLOTS = Array.from({ length: MAX_PHOTOS_PER_TICKET }, (_, i) => i + 1);

/** What the first bytes say the file is; only the three types phones and browsers produce and show. */
export function sniffImageType(bytes: Buffer): PhotoType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

/**
 * The file of an upload: the first part with a filename of a multipart/form-data body (what
 * Taro.uploadFile sends on weapp and H5), or the whole body when it is sent as an image type.
 */
export function extractUploadedFile(contentType: string, body: Buffer): Buffer {
  if (!/^multipart\/form-data/i.test(contentType)) return body;
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) throw badRequest('The multipart body has no boundary.');
  const delimiter = Buffer.from(`--${mark}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const partStart = at + delimiter.length;
    // `--boundary--` closes the body.
    if (body.toString('latin1', partStart, partStart + 2) === '--') break;
    const next = body.indexOf(Buffer.from(`\r\n--${mark}`), partStart);
    if (next === -1) break;
    const headerEnd = body.indexOf('\r\n\r\n', partStart);
    if (headerEnd !== -1 && headerEnd < next) {
      const headers = body.toString('utf8', partStart, headerEnd);
      if (/content-disposition:[^\r\n]*filename=/i.test(headers)) return body.subarray(headerEnd + 4, next);
    }
    at = next + 2;
  }
  throw badRequest('The upload carries no file.', [{ path: 'body.file', message: 'Required' }]);
}

/** Checks the bytes and stores them in the ticket's next free slot. */
export async function addTicketPhoto(
  ticketId: Types.ObjectId,
  uploadedBy: { kind: string; id?: string },
  bytes: Buffer,
  now = new Date(),
): Promise<PhotoMeta> {
  if (bytes.length === 0) throw badRequest('The photo is empty.', [{ path: 'body.file', message: 'empty' }]);
  if (bytes.length > MAX_PHOTO_BYTES) {
    throw new AppError(413, ErrorCode.PAYLOAD_TOO_LARGE, 'A photo may be at most 2 MB.');
  }
  const contentType = sniffImageType(bytes);
  if (!contentType) {
    throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Only JPEG, PNG and WebP photos are accepted.');
  }
  const taken = new Set((await photoSlotsOf(ticketId)).map((p) => p.slot));
  for (const slot of SLOTS) {
    if (taken.has(slot)) continue;
    try {
      await TicketPhoto.create({
        _id: slotKey(ticketId, slot),
        ticketId,
        slot,
        contentType,
        size: bytes.length,
        data: bytes,
        uploadedBy,
        at: now,
      });
      return { id: String(slot), contentType, size: bytes.length, at: now };
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      // Another upload took this slot a moment ago: try the next one.
    }
  }
  throw conflict(ErrorCode.LIMIT_REACHED, `A ticket may have at most ${MAX_PHOTOS_PER_TICKET} photos.`);
}

async function photoSlotsOf(ticketId: Types.ObjectId) {
  // Six primary-key reads, never a scan of everyone's photos.
  const found = await Promise.all(
    SLOTS.map((slot) =>
      TicketPhoto.findById(slotKey(ticketId, slot), { data: 0 }).lean<{ slot: number; contentType: PhotoType; size: number; at: Date }>(),
    ),
  );
  return found.filter((p): p is NonNullable<typeof p> => !!p);
}

export async function listTicketPhotos(ticketId: Types.ObjectId): Promise<PhotoMeta[]> {
  return (await photoSlotsOf(ticketId)).map((p) => ({ id: String(p.slot), contentType: p.contentType, size: p.size, at: p.at }));
}

export async function getTicketPhoto(ticketId: Types.ObjectId, photoId: string): Promise<{ contentType: PhotoType; data: Buffer }> {
  const slot = /^[1-9][0-9]?$/.test(photoId) ? Number(photoId) : NaN;
  if (!(slot >= 1 && slot <= MAX_PHOTOS_PER_TICKET)) throw notFound('No such photo.');
  const photo = await TicketPhoto.findById(slotKey(ticketId, slot)).lean<{ contentType: PhotoType; data: Buffer | { buffer: Buffer } }>();
  if (!photo) throw notFound('No such photo.');
  const data = Buffer.isBuffer(photo.data) ? photo.data : Buffer.from((photo.data as { buffer: Uint8Array }).buffer);
  return { contentType: photo.contentType, data };
}
