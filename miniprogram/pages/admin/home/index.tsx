import { View } from '@tarojs/components';
import { MenuItem } from '../../../components/MenuItem';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { useMe } from '../../../services/useMe';

/** The brand admin: stores and their staff, coupon campaigns and their funnel, the bot's keyword replies, the official account's menu. */
export default function AdminHomePage() {
  usePageTitle('admin.title');
  const { me, loading, error, reload } = useMe(['admin']);
  return (
    <View className='page admin-home-page'>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && !error && (
        <View className='section menu'>
          <MenuItem className='menu-stores' label={t('admin.stores')} url='/pages/admin/stores/index' />
          <MenuItem className='menu-staff' label={t('admin.staff')} url='/pages/admin/staff/index' />
          <MenuItem className='menu-campaigns' label={t('admin.campaigns')} url='/pages/admin/campaigns/index' />
          <MenuItem className='menu-funnel' label={t('admin.funnel')} url='/pages/admin/funnel/index' />
          <MenuItem className='menu-dashboard' label={t('admin.dashboard')} url='/pages/admin/dashboard/index' />
          <MenuItem className='menu-keyword-rules' label={t('admin.keywordRules')} url='/pages/admin/keyword-rules/index' />
          <MenuItem className='menu-oa-menu' label={t('admin.oaMenu')} url='/pages/admin/oa-menu/index' />
          <MenuItem className='menu-tags' label={t('tags.title')} url='/pages/admin/tags/index' />
          <MenuItem className='menu-segments' label={t('segments.title')} url='/pages/admin/segments/index' />
          <MenuItem className='menu-outreach' label={t('admin.outreach')} url='/pages/admin/outreach/index' />
          <MenuItem className='menu-review' label={t('admin.review')} url='/pages/admin/review/index' />
        </View>
      )}
    </View>
  );
}
