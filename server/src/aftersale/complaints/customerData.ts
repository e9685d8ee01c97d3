import type { CustomerDataPart } from '../../platform/customerData';
import { ComplaintLabel, ComplaintScoreRecord } from './model';
import { eraseComplaintData } from './service';

/** Complaint detection's scored messages and the staff labels on them. */
export const complaintsData: CustomerDataPart = {
  module: 'aftersale.complaints',
  collections: ['complaint_scores', 'complaint_labels'],

  async erase(customerId) {
    await eraseComplaintData(customerId);
  },

  async merge(from, into) {
    await ComplaintScoreRecord.updateMany({ customerId: from }, { $set: { customerId: into } });
    await ComplaintLabel.updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  // Scores and labels are staff's judgement of messages the export already holds (ticketMessages).
  async export() {
    return {};
  },
};
