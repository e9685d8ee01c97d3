export default definePageConfig({ navigationBarTitleText: '顾客' });
