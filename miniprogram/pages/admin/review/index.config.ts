export default definePageConfig({ navigationBarTitleText: '异常互动审核', enablePullDownRefresh: true });
