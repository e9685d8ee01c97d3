export default definePageConfig({ navigationBarTitleText: '识别会员' });
