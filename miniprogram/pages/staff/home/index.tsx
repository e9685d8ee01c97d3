import { Button, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { FormField } from '../../../components/FormField';
import { MenuItem } from '../../../components/MenuItem';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { crmApi, customerPage, hasRole, type CustomerBrief } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';

/** The store workbench: what clerks and managers do at the till and for after-sale, and finding a customer. */
export default function StaffHomePage() {
  usePageTitle('staff.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const store = useStoreChoice(me);
  const isManager = hasRole(me, 'manager') && !hasRole(me, 'admin');
  const [q, setQ] = useState('');
  const [found, setFound] = useState<CustomerBrief[]>();
  const [searchError, setSearchError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const search = async () => {
    setBusy(true);
    setSearchError(undefined);
    try {
      setFound((await crmApi.search(q.trim(), store.storeId)).items);
    } catch (err) {
      setSearchError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page staff-home-page'>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && !error && (
        <>
          <View className='section menu'>
            <MenuItem className='menu-today' label={t('today.title')} url='/pages/staff/today/index' />
            <MenuItem className='menu-identify' label={t('staff.identify')} url='/pages/staff/identify/index' />
            <MenuItem className='menu-redeem' label={t('staff.redeem')} url='/pages/staff/redeem/index' />
            <MenuItem className='menu-inbox' label={t('staff.inbox')} url='/pages/staff/tickets/index' />
            <MenuItem className='menu-complaints' label={t('staff.complaints')} url='/pages/staff/complaints/index' />
            {isManager && <MenuItem className='menu-staff' label={t('staff.roles')} url='/pages/admin/staff/index' />}
            {isManager && <MenuItem className='menu-dashboard' label={t('admin.dashboard')} url='/pages/admin/dashboard/index' />}
          </View>
          <View className='section customer-search'>
            <Text className='section-title'>{t('search.title')}</Text>
            {store.grants.length > 1 && <StorePicker grants={store.grants} choice={store.choice} onChoose={store.setChoice} />}
            <FormField name='customer-search' label={t('search.label')} placeholder={t('search.placeholder')} value={q} onInput={setQ} />
            <Button className='btn btn-primary customer-search-submit' disabled={busy || !q.trim()} onClick={search}>
              {t('search.submit')}
            </Button>
            {searchError && <Text className='error-text customer-search-error'>{searchError}</Text>}
            {found?.length === 0 && <Text className='muted customer-search-none'>{t('search.none')}</Text>}
            {found?.map((c) => (
              <View key={c.id} className='row customer-search-hit' onClick={() => go(customerPage(c.id, store.storeId))}>
                <Text className='grow dyn'>{c.name ?? t('customer.noName')}</Text>
                <Text className='muted'>{c.tier ? t(`tier.${c.tier}` as 'tier.gold') : t('segments.notMember')}</Text>
                <Text className='menu-arrow'>›</Text>
              </View>
            ))}
          </View>
        </>
      )}
    </View>
  );
}
