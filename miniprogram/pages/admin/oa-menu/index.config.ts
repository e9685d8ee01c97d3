export default definePageConfig({ navigationBarTitleText: '公众号菜单' });
