import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { desiredKeys, ruleHolds, type CustomerSnapshot } from './facts';

const now = new Date('2026-05-15T04:00:00Z');
const day = 86_400_000;
const store = new Types.ObjectId();
const base: CustomerSnapshot = {
  active: true,
  following: true,
  followChannel: `store:${store}`,
  birthdayMonth: 5,
  name: ' Lin  Mei ',
  member: { tier: 'gold', phone: '138 0013 8000', points: 650 },
  timeline: [
    { type: 'oa.message', channel: 'official_account', at: new Date(now.getTime() - 3 * day), data: { content: '可以退货吗' } },
    { type: 'member.identified', channel: 'store', at: new Date(now.getTime() - 10 * day), storeId: store, data: {} },
  ] as CustomerSnapshot['timeline'],
  coupons: { claimed: true, redeemed: false, giftAccepted: false },
  tickets: { open: false, lowestRating: 2 },
  gifts: { accepted: 2, redeemed: 1 },
};

describe('automatic tag rules', () => {
  it('hold on what the customer did, and stop holding when it changes', () => {
    expect(ruleHolds({ kind: 'follow_channel', channel: `store:${store}` }, base, now)).toBe(true);
    expect(ruleHolds({ kind: 'follow_channel', channel: `store:${store}` }, { ...base, following: false }, now)).toBe(false);
    expect(ruleHolds({ kind: 'keyword', keyword: '退货' }, base, now)).toBe(true);
    expect(ruleHolds({ kind: 'inactive', days: 30 }, base, now)).toBe(false);
    expect(ruleHolds({ kind: 'inactive', days: 30 }, base, new Date(now.getTime() + 40 * day))).toBe(true);
    expect(ruleHolds({ kind: 'birthday_month' }, base, now)).toBe(true);
    expect(ruleHolds({ kind: 'birthday_month' }, base, new Date('2026-06-02T00:00:00Z'))).toBe(false);
    expect(ruleHolds({ kind: 'points_at_least', points: 600 }, base, now)).toBe(true);
    expect(ruleHolds({ kind: 'low_rating', maxStars: 1 }, base, now)).toBe(false);
    expect(ruleHolds({ kind: 'coupon', event: 'redeemed' }, base, now)).toBe(false);
    expect(ruleHolds({ kind: 'following' }, { ...base, active: false }, now)).toBe(false);
  });

  it('keep the facts segments filter on, and nothing for an erased customer', () => {
    const keys = desiredKeys(base, [], now);
    expect([...keys.keys()].sort()).toEqual(
      [
        'all',
        'following',
        'name:lin mei',
        'b:member',
        'tier:gold',
        'pts:100',
        'pts:200',
        'pts:500',
        'phone4:8000',
        'active:7',
        'active:30',
        'active:90',
        `store:${store}`,
        'b:coupon_claimed',
        'b:low_rating',
        'advocate',
      ].sort(),
    );
    expect(keys.get('active:7')).toEqual(new Date(now.getTime() - 3 * day + 7 * day));
    expect(desiredKeys({ ...base, active: false }, [], now).size).toBe(0);
  });
});
