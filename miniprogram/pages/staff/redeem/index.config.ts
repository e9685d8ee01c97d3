export default definePageConfig({ navigationBarTitleText: '核销优惠券', enablePullDownRefresh: true });
