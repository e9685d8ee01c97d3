// The after-sale calls of the mini-program: tickets, their conversation, photos and the staff inbox.
import Taro from '@tarojs/taro';
import type { ContactPreference, SlaBadge, TicketAction, TicketState, TicketType } from '@shared/tickets';
import { API_BASE, ApiError, apiRequest } from './api';
import { readSession } from './session';

export interface Ticket {
  id: string;
  number: string;
  storeId: string | null;
  type: TicketType;
  orderRef: string | null;
  description: string;
  contact: { preference: ContactPreference; phone?: string };
  priority: string;
  state: TicketState;
  sla: { firstResponseDue: string | null; firstRespondedAt: string | null; resolutionDue: string | null; badge: SlaBadge };
  atRisk?: boolean;
  overdue?: boolean;
  resolution: string | null;
  resolvedAt: string | null;
  rating: { stars: number; comment: string | null } | null;
  history: Array<{ action: string; from: string | null; to: string | null; at: string; by?: string; reason: string | null }>;
  allowedActions: TicketAction[];
  createdAt: string;
  updatedAt: string;
}

export interface TicketMessage {
  id: string;
  from: 'customer' | 'staff';
  text: string;
  at: string;
}

export interface TicketPhotoRef {
  id: string;
  url: string;
  contentType: string;
  size: number;
}

export interface AftersaleStore {
  id: string;
  name: string;
  city: string | null;
}

export interface NewTicket {
  storeId: string;
  type: TicketType;
  orderRef?: string;
  description: string;
  contact: { preference: ContactPreference; phone?: string };
}

const messageKey = () => `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export const tickets = {
  stores: () => apiRequest<{ items: AftersaleStore[] }>('GET', '/aftersale/stores'),
  mine: () => apiRequest<{ items: Ticket[] }>('GET', '/tickets'),
  get: (id: string) => apiRequest<Ticket>('GET', `/tickets/${id}`),
  create: (input: NewTicket) => apiRequest<Ticket>('POST', '/tickets', { body: input }),
  messages: (id: string) => apiRequest<{ items: TicketMessage[] }>('GET', `/tickets/${id}/messages`),
  /** One key per message typed: a retry of the same send is the same message on the server. */
  send: (id: string, text: string, idempotencyKey = messageKey()) =>
    apiRequest<TicketMessage>('POST', `/tickets/${id}/messages`, { body: { text, idempotencyKey } }),
  act: (id: string, action: TicketAction, data: { reason?: string; resolution?: string } = {}) =>
    apiRequest<Ticket>('POST', `/tickets/${id}/transitions`, { body: { action, ...data } }),
  rate: (id: string, stars: number, comment?: string) =>
    apiRequest<Ticket>('POST', `/tickets/${id}/rating`, { body: { stars, ...(comment ? { comment } : {}) } }),
  photos: (id: string) => apiRequest<{ items: TicketPhotoRef[] }>('GET', `/tickets/${id}/photos`),
  inbox: (storeId?: string) =>
    apiRequest<{ items: Ticket[] }>('GET', `/staff/tickets${storeId ? `?storeId=${storeId}` : ''}`),
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
  let body: any;
  try {
    body = typeof res.data === 'string' ? JSON.parse(res.data) : res.data;
  } catch {
    body = undefined;
  }
  if (res.statusCode !== 201) {
    throw new ApiError(res.statusCode, body?.error?.code ?? 'UPLOAD_FAILED', body?.error?.message ?? `upload failed (HTTP ${res.statusCode})`);
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
