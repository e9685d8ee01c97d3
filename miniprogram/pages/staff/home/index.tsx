import { View } from '@tarojs/components';
import { MenuItem } from '../../../components/MenuItem';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { hasRole } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

/** The store workbench: what clerks and managers do at the till and for after-sale. */
export default function StaffHomePage() {
  usePageTitle('staff.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const isManager = hasRole(me, 'manager') && !hasRole(me, 'admin');
  return (
    <View className='page staff-home-page'>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && !error && (
        <View className='section menu'>
          <MenuItem className='menu-identify' label={t('staff.identify')} url='/pages/staff/identify/index' />
          <MenuItem className='menu-redeem' label={t('staff.redeem')} url='/pages/staff/redeem/index' />
          <MenuItem className='menu-inbox' label={t('staff.inbox')} url='/pages/staff/tickets/index' />
          <MenuItem className='menu-complaints' label={t('staff.complaints')} url='/pages/staff/complaints/index' />
          {isManager && <MenuItem className='menu-staff' label={t('staff.roles')} url='/pages/admin/staff/index' />}
          {isManager && <MenuItem className='menu-dashboard' label={t('admin.dashboard')} url='/pages/admin/dashboard/index' />}
        </View>
      )}
    </View>
  );
}
