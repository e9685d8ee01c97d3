import type { PassiveReply } from '@shared/officialAccount';

/** What each custom-menu CLICK key answers. Keys are the ones configured in the account's menu. */
export const MENU_CLICK_REPLIES: Readonly<Record<string, PassiveReply>> = {
  MEMBER_CENTER: {
    type: 'text',
    content: '会员中心在小程序里：查看等级、积分，出示会员码即可在门店累计积分。',
  },
  MY_COUPONS: {
    type: 'text',
    content: '您的优惠券都在小程序「我的券包」，到店出示券码由店员核销。',
  },
  AFTER_SALE: {
    type: 'text',
    content: '需要售后？在小程序「我的-售后」提交工单，或直接回复「人工」联系客服。',
  },
  CONTACT_US: { type: 'transfer_customer_service' },
};
