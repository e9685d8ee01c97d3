export default defineAppConfig({
  pages: [
    'pages/member/home/index',
    'pages/auth/sign-in/index',
    'pages/member/join/index',
    'pages/member/points/index',
    'pages/member/exchange/index',
    'pages/member/code/index',
    'pages/profile/edit/index',
    'pages/profile/privacy/index',
    'pages/aftersale/list/index',
    'pages/aftersale/new/index',
    'pages/aftersale/detail/index',
    'pages/coupons/center/index',
    'pages/coupons/mine/index',
    'pages/coupons/detail/index',
    'pages/coupons/accept/index',
  ],
  // Staff and admin pages are a separate download: customers never pay for them.
  subPackages: [
    { root: 'pages/staff', pages: ['identify/index', 'redeem/index', 'tickets/index', 'ticket/index', 'complaints/index'] },
    { root: 'pages/admin', pages: ['stores/index', 'staff/index', 'campaigns/index', 'funnel/index', 'keyword-rules/index', 'oa-menu/index'] },
  ],
  window: {
    backgroundTextStyle: 'light',
    backgroundColor: '#f4f6f5',
    navigationBarBackgroundColor: '#0f766e',
    navigationBarTitleText: 'Loopline 会员',
    navigationBarTextStyle: 'white',
  },
});
