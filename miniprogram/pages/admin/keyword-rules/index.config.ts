export default definePageConfig({ navigationBarTitleText: '关键词回复', enablePullDownRefresh: true });
