export default definePageConfig({ navigationBarTitleText: '消息判定', enablePullDownRefresh: true });
