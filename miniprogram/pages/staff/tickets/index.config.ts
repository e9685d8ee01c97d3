export default definePageConfig({ navigationBarTitleText: '售后工单', enablePullDownRefresh: true });
