import type { PassiveReply } from '@shared/officialAccount';
import { DEFAULT_LANGUAGE, translate } from '@shared/i18n';

/** What each custom-menu CLICK key answers. Keys are the ones configured in the account's menu. */
export const MENU_CLICK_REPLIES: Readonly<Record<string, PassiveReply>> = {
  MEMBER_CENTER: { type: 'text', content: translate(DEFAULT_LANGUAGE, 'bot.menu.memberCenter') },
  MY_COUPONS: { type: 'text', content: translate(DEFAULT_LANGUAGE, 'bot.menu.myCoupons') },
  AFTER_SALE: { type: 'text', content: translate(DEFAULT_LANGUAGE, 'bot.menu.afterSale') },
  CONTACT_US: { type: 'transfer_customer_service' },
};
