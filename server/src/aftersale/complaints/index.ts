// Complaint detection: the lexicon and patterns (stage one), the learned model (stage two), the
// scored messages with their staff labels, and retraining.
export type { ComplaintLevel } from './classifier';
export { initComplaintModels } from './model';
export { complaintRetrainJob, retrainComplaintModel, type RetrainResult } from './retrain';
export { complaintRoutes } from './routes';
export { activeModel, forgetModel, scoreMessage, scoreWith, type ComplaintScore } from './scorer';
export { eraseComplaintData, recordScore } from './service';
export { baseModel } from './training';
export { complaintsData } from './customerData';
