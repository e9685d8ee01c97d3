import type { MessageKey } from '@shared/i18n';

/** The tab bar's pages, in order, with their label keys (app.config.ts lists the same pages). */
export const TABS: Array<{ page: string; label: MessageKey }> = [
  { page: 'pages/member/home/index', label: 'tab.member' },
  { page: 'pages/coupons/center/index', label: 'tab.coupons' },
  { page: 'pages/aftersale/list/index', label: 'tab.aftersale' },
  { page: 'pages/me/index', label: 'tab.me' },
];
