// The pages of the mini-program. The four customer tabs and their pages are the main package; the
// staff workbench and the brand admin are sub-packages, downloaded only by people who open them.
// Tab labels here are the default language's; i18n/index.ts relabels them for English.
export default defineAppConfig({
  pages: [
    'pages/member/home/index',
    'pages/coupons/center/index',
    'pages/aftersale/list/index',
    'pages/me/index',
    'pages/auth/sign-in/index',
    'pages/member/join/index',
    'pages/member/points/index',
    'pages/member/exchange/index',
    'pages/member/code/index',
    'pages/profile/edit/index',
    'pages/profile/privacy/index',
    'pages/aftersale/new/index',
    'pages/aftersale/detail/index',
    'pages/coupons/mine/index',
    'pages/coupons/detail/index',
    'pages/coupons/accept/index',
  ],
  subPackages: [
    {
      root: 'pages/staff',
      pages: [
        'home/index',
        'identify/index',
        'redeem/index',
        'tickets/index',
        'ticket/index',
        'complaints/index',
        'today/index',
        'customer/index',
      ],
    },
    {
      root: 'pages/admin',
      pages: [
        'home/index',
        'stores/index',
        'staff/index',
        'campaigns/index',
        'funnel/index',
        'keyword-rules/index',
        'oa-menu/index',
        'outreach/index',
        'dashboard/index',
        'review/index',
        'tags/index',
        'segments/index',
      ],
    },
  ],
  tabBar: {
    color: '#6b7280',
    selectedColor: '#0f766e',
    backgroundColor: '#ffffff',
    borderStyle: 'white',
    list: [
      {
        pagePath: 'pages/member/home/index',
        text: '会员',
        iconPath: 'assets/tab/member.png',
        selectedIconPath: 'assets/tab/member-on.png',
      },
      {
        pagePath: 'pages/coupons/center/index',
        text: '领券',
        iconPath: 'assets/tab/coupons.png',
        selectedIconPath: 'assets/tab/coupons-on.png',
      },
      {
        pagePath: 'pages/aftersale/list/index',
        text: '售后',
        iconPath: 'assets/tab/aftersale.png',
        selectedIconPath: 'assets/tab/aftersale-on.png',
      },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-on.png' },
    ],
  },
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f4f6f5',
    navigationBarBackgroundColor: '#0f766e',
    navigationBarTitleText: 'Loopline 会员',
    navigationBarTextStyle: 'white',
  },
});
