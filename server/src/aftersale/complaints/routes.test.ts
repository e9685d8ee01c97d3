import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/helpers';
import { signInTwoStoreCast, type TwoStoreCast } from '../../../test/session';
import { escalateFromMessage } from '../escalation';
import { ComplaintLabel, ComplaintModel, ComplaintScoreRecord } from './model';
import { complaintRetrainJob, retrainComplaintModel } from './retrain';
import { eraseComplaintData } from './service';
import { activeModel, forgetModel, scoreMessage } from './scorer';
import { baseModel, baseModelSource } from './training';

let app: TestApp;
let cast: TwoStoreCast;
/** A follower of the clerk's store (a ticket there), and one no store knows. */
const storeFollower = new Types.ObjectId();
const unknownFollower = new Types.ObjectId();
const STRONG = '骗子公司，收了钱不发货，我要去12315投诉！！';
/** A harm the built-in model takes for a mild grumble: the staff will say it was a complaint. */
const MISSED = '拿到手的杯子有个缺口，嘴唇被划了一下';

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'cx-admin' });
  cast = await signInTwoStoreCast(app, 'cx');
  const { createTicket } = await import('../service');
  await createTicket(storeFollower, {
    storeId: cast.storeId,
    type: 'repair',
    description: '表带断了',
    photos: [],
    contact: { preference: 'wechat' },
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
});

const list = (token: string, query = '') => app.request('GET', `/api/v1/staff/complaint-scores${query}`, { token });
const label = (token: string, id: string, body: unknown) =>
  app.request('POST', `/api/v1/staff/complaint-scores/${id}/label`, { token, body });

describe('scored messages in the staff inbox', () => {
  it('records every message with its level and the model version; a redelivered message once', async () => {
    const at = new Date('2031-03-01T02:00:00Z');
    await escalateFromMessage(storeFollower, STRONG, at);
    await escalateFromMessage(storeFollower, STRONG, at); // the platform retried the push
    await escalateFromMessage(unknownFollower, '请问会员积分怎么兑换？', new Date(at.getTime() + 1000));
    await escalateFromMessage(unknownFollower, MISSED, new Date(at.getTime() + 2000));
    const scores = await ComplaintScoreRecord.find({}).sort({ at: 1 }).lean();
    expect(scores.map((s) => [s.text, s.level])).toEqual([
      [STRONG, 'strong'],
      ['请问会员积分怎么兑换？', 'none'],
      [MISSED, expect.not.stringMatching(/^strong$/)],
    ]);
    expect(scores.every((s) => s.modelVersion === baseModel().version)).toBe(true);
    expect(String(scores[0]!.storeId)).toBe(cast.storeId);
    expect(scores[0]!.ticketId).toBeDefined();
    expect(scores[1]!.storeId).toBeUndefined();
  });

  it('shows a store its own messages and admins all of them; others are refused', async () => {
    const mine = await list(cast.clerk.token);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { text: string }) => i.text)).toEqual([STRONG]);
    expect(mine.body.items[0]).toMatchObject({ level: 'strong', storeId: cast.storeId, modelVersion: baseModel().version, label: null });
    expect(mine.body.items[0].cues).toEqual(expect.arrayContaining(['骗子', '投诉']));

    expect((await list(cast.otherClerk.token)).body.items).toEqual([]);
    const all = await list(cast.admin.token);
    expect(all.body.items).toHaveLength(3);
    expect((await list(cast.admin.token, '?level=none')).body.items.map((i: { text: string }) => i.text)).toEqual([
      '请问会员积分怎么兑换？',
    ]);

    expect((await list(cast.customer.token)).status).toBe(403);
    expect((await app.request('GET', '/api/v1/staff/complaint-scores')).status).toBe(401);
    expect(
      (await list(cast.clerk.token, `?storeId=${(await list(cast.otherClerk.token)).body.items[0]?.storeId ?? new Types.ObjectId()}`))
        .status,
    ).toBe(403);
    const bad = await list(cast.admin.token, '?level=furious');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('lets the store label its message; refuses other stores, customers and bad input, changing nothing', async () => {
    const [item] = (await list(cast.clerk.token)).body.items;
    expect((await label(cast.otherClerk.token, item.id, { complaint: false })).status).toBe(404);
    expect((await label(cast.customer.token, item.id, { complaint: false })).status).toBe(403);
    const bad = await label(cast.clerk.token, item.id, { complaint: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await label(cast.clerk.token, 'nope', { complaint: true })).status).toBe(404);
    expect((await label(cast.clerk.token, String(new Types.ObjectId()), { complaint: true })).status).toBe(404);
    expect(await ComplaintLabel.countDocuments({})).toBe(0);

    const ok = await label(cast.clerk.token, item.id, { complaint: true });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: item.id, label: { complaint: true, by: cast.clerk.customerId } });
    // A message without a store is for admins only.
    const unassigned = (await list(cast.admin.token, '?level=none')).body.items[0];
    expect((await label(cast.clerk.token, unassigned.id, { complaint: false })).status).toBe(404);
    expect((await label(cast.admin.token, unassigned.id, { complaint: false })).status).toBe(200);
    expect((await list(cast.clerk.token)).body.items[0].label).toMatchObject({ complaint: true });
  });
});

describe('retraining from staff labels', () => {
  it('a staff label changes the next model; every instance then scores with it, and the version is on each score', async () => {
    const base = baseModel();
    const before = await scoreMessage(MISSED);
    const missed = (await list(cast.admin.token)).body.items.find((i: { text: string }) => i.text === MISSED);
    expect((await label(cast.admin.token, missed.id, { complaint: true })).status).toBe(200);

    expect((await app.request('POST', '/api/v1/admin/complaint-model/retrain', { token: cast.clerk.token })).status).toBe(403);
    const retrained = await app.request('POST', '/api/v1/admin/complaint-model/retrain', { token: cast.admin.token });
    expect(retrained.status).toBe(200);
    expect(retrained.body).toMatchObject({ retrained: true, staffLabels: 3 });
    expect(retrained.body.version).not.toBe(base.version);
    const info = await app.request('GET', '/api/v1/admin/complaint-model', { token: cast.admin.token });
    expect(info.body).toMatchObject({ version: retrained.body.version });

    // Another instance (nothing cached) loads the same model from the database.
    forgetModel();
    const loaded = await activeModel();
    expect(loaded.version).toBe(retrained.body.version);
    const after = await scoreMessage(MISSED);
    expect(after.modelVersion).toBe(retrained.body.version);
    expect(after.complaintScore).toBeGreaterThan(before.complaintScore);

    const at = new Date('2031-03-02T02:00:00Z');
    await escalateFromMessage(unknownFollower, '今天天气不错，你们几点开门？', at);
    const next = await ComplaintScoreRecord.findOne({ at }).lean();
    expect(next?.modelVersion).toBe(retrained.body.version);
  }, 180_000);

  it('the lease-held job retrains only when there are new labels', async () => {
    const models = await ComplaintModel.countDocuments({});
    await complaintRetrainJob.run(new Date());
    expect(await ComplaintModel.countDocuments({})).toBe(models);
    expect((await retrainComplaintModel()).retrained).toBe(false);

    const item = (await list(cast.admin.token, '?level=none')).body.items.find((i: { text: string }) => i.text.includes('天气'));
    expect((await label(cast.admin.token, item.id, { complaint: false })).status).toBe(200);
    const current = (await activeModel()).version;
    await complaintRetrainJob.run(new Date());
    expect(await ComplaintModel.countDocuments({})).toBe(models + 1);
    expect((await activeModel()).version).not.toBe(current);

    // A release with another corpus: the stored model learned from an older one, so the job retrains.
    await ComplaintModel.updateOne({ _id: (await activeModel()).version }, { $set: { 'trainedOn.source': 'an-older-corpus' } });
    await complaintRetrainJob.run(new Date());
    expect(await ComplaintModel.findOne({}).sort({ activatedAt: -1 }).lean()).toMatchObject({ trainedOn: { source: baseModelSource() } });
    expect((await retrainComplaintModel()).retrained).toBe(false);
  }, 180_000);

  it('erasing a person removes their scored messages and labels, and the next retraining drops the labels', async () => {
    expect(await ComplaintLabel.countDocuments({ customerId: unknownFollower })).toBeGreaterThan(0);
    await eraseComplaintData(unknownFollower);
    expect(await ComplaintScoreRecord.countDocuments({ customerId: unknownFollower })).toBe(0);
    expect(await ComplaintLabel.countDocuments({ customerId: unknownFollower })).toBe(0);
    expect(await ComplaintScoreRecord.countDocuments({ customerId: storeFollower })).toBe(1);
    const result = await retrainComplaintModel();
    expect(result).toMatchObject({ retrained: true, staffLabels: 1 });
  }, 180_000);
});
