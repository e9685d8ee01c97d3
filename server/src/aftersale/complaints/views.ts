import type { ComplaintModelInfo, ScoredMessage } from '@shared/api/complaints';
import type { ComplaintClassifier } from './classifier';
import type { ComplaintLabelDoc, ComplaintScoreDoc } from './model';

export function scoredMessageView(score: ComplaintScoreDoc, label: ComplaintLabelDoc | null): ScoredMessage {
  return {
    id: String(score._id),
    customerId: String(score.customerId),
    storeId: score.storeId ? String(score.storeId) : null,
    ticketId: score.ticketId ? String(score.ticketId) : null,
    channel: 'official_account',
    text: score.text,
    level: score.level,
    probability: score.probability,
    cues: score.cues ?? [],
    modelVersion: score.modelVersion,
    at: score.at.toISOString(),
    label: label ? { complaint: label.complaint, by: String(label.by), at: label.at.toISOString() } : null,
  };
}

export function modelInfoView(model: ComplaintClassifier): ComplaintModelInfo {
  return {
    version: model.version,
    strongThreshold: model.data.strongThreshold,
    crossValidation: model.data.crossValidation,
    vocabularySize: model.data.vocab.length,
  };
}
