export default definePageConfig({ navigationBarTitleText: 'Loopline 会员' });
