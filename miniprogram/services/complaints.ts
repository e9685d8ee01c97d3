// Scored official-account messages in the staff inbox, and the staff's "was / was not a complaint".
import { scoredMessage, type ComplaintLevelName, type ScoredMessage } from '@shared/api/complaints';
import { apiRequest } from './api';

export type { ComplaintLevelName, ScoredMessage };

export const complaints = {
  list: (options: { storeId?: string; level?: ComplaintLevelName } = {}) => {
    const query = [options.storeId && `storeId=${options.storeId}`, options.level && `level=${options.level}`].filter(Boolean).join('&');
    return apiRequest<{ items: ScoredMessage[] }>('GET', `/staff/complaint-scores${query ? `?${query}` : ''}`);
  },
  label: (id: string, complaint: boolean) =>
    apiRequest<ScoredMessage>('POST', `/staff/complaint-scores/${id}/label`, { body: { complaint }, schema: scoredMessage }),
};
