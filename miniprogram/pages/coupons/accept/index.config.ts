export default definePageConfig({ navigationBarTitleText: '领取好友赠券' });
