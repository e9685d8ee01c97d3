// The after-sale calls of the mini-program: tickets, their conversation, photos and the staff inbox.
import Taro from '@tarojs/taro';
import {
  aftersaleStoreList,
  ticketList,
  ticketMessageList,
  ticketMessageView,
  ticketPhotoList,
  ticketView,
  type AftersaleStoreView,
  type ContactPreference,
  type TicketAction,
  type TicketMessageView,
  type TicketPhotoView,
  type TicketType,
  type TicketView,
} from '@shared/tickets';
import { API_BASE, ApiError, apiRequest } from './api';
import { readSession } from './session';

// The server's response schemas are the types: one definition of a ticket for both sides.
export type Ticket = TicketView;
export type TicketMessage = TicketMessageView;
export type TicketPhotoRef = TicketPhotoView;
export type AftersaleStore = AftersaleStoreView;

export interface NewTicket {
  storeId: string;
  type: TicketType;
  orderRef?: string;
  description: string;
  contact: { preference: ContactPreference; phone?: string };
}

const messageKey = () => `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export const tickets = {
  stores: () => apiRequest('GET', '/aftersale/stores', { schema: aftersaleStoreList }),
  mine: () => apiRequest('GET', '/tickets', { schema: ticketList }),
  get: (id: string) => apiRequest('GET', `/tickets/${id}`, { schema: ticketView }),
  create: (input: NewTicket) => apiRequest('POST', '/tickets', { body: input, schema: ticketView }),
  messages: (id: string) => apiRequest('GET', `/tickets/${id}/messages`, { schema: ticketMessageList }),
  /** One key per message typed: a retry of the same send is the same message on the server. */
  send: (id: string, text: string, idempotencyKey = messageKey()) =>
    apiRequest('POST', `/tickets/${id}/messages`, { body: { text, idempotencyKey }, schema: ticketMessageView }),
  act: (id: string, action: TicketAction, data: { reason?: string; resolution?: string } = {}) =>
    apiRequest('POST', `/tickets/${id}/transitions`, { body: { action, ...data }, schema: ticketView }),
  rate: (id: string, stars: number, comment?: string) =>
    apiRequest('POST', `/tickets/${id}/rating`, { body: { stars, ...(comment ? { comment } : {}) }, schema: ticketView }),
  photos: (id: string) => apiRequest('GET', `/tickets/${id}/photos`, { schema: ticketPhotoList }),
  inbox: (storeId?: string) => apiRequest('GET', `/staff/tickets${storeId ? `?storeId=${storeId}` : ''}`, { schema: ticketList }),
};

const authHeader = (): Record<string, string> => {
  const session = readSession();
  return session ? { Authorization: `Bearer ${session.token}` } : {};
};

/** Uploads one chosen image (a temp path from chooseImage) as multipart, the way both platforms do it. */
export async function uploadTicketPhoto(ticketId: string, filePath: string): Promise<TicketPhotoRef> {
  let res: Taro.uploadFile.SuccessCallbackResult;
  try {
    res = await Taro.uploadFile({ url: `${API_BASE}/tickets/${ticketId}/photos`, filePath, name: 'file', header: authHeader() });
  } catch {
    throw new ApiError(0, 'UPLOAD_FAILED', 'upload failed');
  }
  let body: (Partial<TicketPhotoRef> & { error?: { code?: string; message?: string } }) | undefined;
  try {
    body = typeof res.data === 'string' ? JSON.parse(res.data) : res.data;
  } catch {
    body = undefined;
  }
  if (res.statusCode !== 201) {
    throw new ApiError(
      res.statusCode,
      body?.error?.code ?? 'UPLOAD_FAILED',
      body?.error?.message ?? `upload failed (HTTP ${res.statusCode})`,
    );
  }
  return body as TicketPhotoRef;
}

/** Photos are behind the bearer token, so an <Image> cannot fetch them itself: download, then show. */
export async function loadTicketPhoto(url: string): Promise<string> {
  const origin = API_BASE.slice(0, -'/api/v1'.length);
  const res = await Taro.downloadFile({ url: origin + url, header: authHeader() });
  if (res.statusCode !== 200) throw new ApiError(res.statusCode, 'PHOTO_UNAVAILABLE', 'photo unavailable');
  return res.tempFilePath;
}
