import type { CustomerDataPart } from '../platform/customerData';
import { tagKey } from './facts';
import { Advocate, CrmTag, CustomerKey, KeyChunk, OaTagOp, keyId } from './model';

/** What the CRM keeps per customer: their keys (tags, facts, search keys), queued tag syncs, advocate row. */
export const crmData: CustomerDataPart = {
  module: 'crm',
  // crm_key_chunks hold customer ids too; they are rebuilt from crm_customer_keys by every index build.
  collections: ['crm_customer_keys', 'crm_oa_tag_ops', 'crm_advocates', 'crm_key_chunks'],

  async erase(customerId) {
    await CustomerKey.deleteMany({ customerId });
    await OaTagOp.deleteMany({ customerId });
    await Advocate.deleteMany({ customerId });
    // Out of the segment index now rather than at its next build (which would drop them anyway).
    await KeyChunk.updateMany({ ids: customerId.toString() }, { $pull: { ids: customerId.toString() } });
  },

  // Manual tags move to the surviving record; the automatic ones are recomputed by the rules pass.
  async merge(from, into, at) {
    const manual = await CustomerKey.find({ customerId: from, source: 'manual' }).lean();
    for (const k of manual) {
      await CustomerKey.create({ ...k, _id: keyId(k.key, into), customerId: into, at }).catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err;
      });
    }
    await CustomerKey.deleteMany({ customerId: from });
    await OaTagOp.deleteMany({ customerId: from });
    await Advocate.deleteMany({ customerId: from });
  },

  async export(customerId) {
    const keys = await CustomerKey.find({ customerId }).lean();
    const tagIds = keys.filter((k) => k.key.startsWith('t:')).map((k) => k.key.slice(2));
    const tags = await Promise.all(tagIds.map((id) => CrmTag.findById(id, { name: 1 }).lean()));
    return {
      crmTags: tags.filter(Boolean).map((t) => ({ name: t!.name, source: keys.find((k) => k.key === tagKey(t!._id))?.source })),
    };
  },
};
