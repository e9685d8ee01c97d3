// The outreach module's public API: messages to an audience inside WeChat's rules, sent by a
// resumable job, and the marketing opt-out (退订/TD, 恢复) the official account's bot obeys.
export { answerMarketingCommand, isOptedOut, marketingCommandOf } from './optOut';
export { outreachRoutes, type OutreachRouteDeps } from './routes';
export { outreachSendJob, sendOutreach, CHUNK_SIZE, type SenderDeps } from './sender';
export type { SegmentResolver } from './audience';
export { createOutreach, getOutreach, previewOutreach, progressOf, startSending } from './service';
export { outreachData } from './customerData';
