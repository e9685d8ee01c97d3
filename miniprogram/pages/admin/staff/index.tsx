import { Button, Picker, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api, hasRole, type Store } from '../../../services/loopline';
import { go, toast, useMe } from '../../../services/useMe';

const ROLES = ['clerk', 'manager'] as const;

export default function StaffPage() {
  usePageTitle('staffRoles.title');
  // Admins grant any role anywhere; a manager makes clerks for the stores they manage.
  const { me, loading, error, reload } = useMe(['admin', 'manager']);
  const isAdmin = hasRole(me, 'admin');
  const roles = isAdmin ? ROLES : ROLES.filter((r) => r === 'clerk');
  const [stores, setStores] = useState<Store[]>();
  const [storeIndex, setStoreIndex] = useState(0);
  const [roleIndex, setRoleIndex] = useState(0);
  const form = useCreateForm({ openid: '' });
  const [granted, setGranted] = useState<string>();

  useEffect(() => {
    if (!me || error) return;
    api.stores().then(
      (page) => setStores(page.items),
      (err) => form.setError(errorMessage(err)),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error]);

  const store = stores?.[storeIndex];
  const role = roles[roleIndex] ?? ROLES[0];

  const grant = async () => {
    if (!store) return;
    const openid = form.values.openid.trim();
    setGranted(undefined);
    if (await form.submit(() => api.grantStaff({ openid, role, storeId: store.id }))) {
      setGranted(t('staffRoles.grantedLine', { openid, store: store.name, role: t(`staffRoles.role.${role}`) }));
      toast(t('staffRoles.granted'));
    }
  };

  return (
    <View className='page staff-page'>
      <Text className='title'>{t('staffRoles.title')}</Text>
      <StatusView loading={(loading && !me) || (!!me && !error && !stores && !form.error)} error={error} onRetry={reload} rows={2} />
      {stores?.length === 0 && (
        <EmptyState
          className='empty-staff-stores'
          title={t('staffRoles.needStore')}
          action={isAdmin ? t('staffRoles.needStoreAction') : undefined}
          onAction={() => go('/pages/admin/stores/index')}
        />
      )}
      {me && !error && stores && stores.length > 0 && (
        <View className='section'>
          <View className='field field-store'>
            <Text className='field-label'>{t('staffRoles.store')}</Text>
            <Picker
              mode='selector'
              range={stores.map((s) => s.name)}
              value={storeIndex}
              onChange={(e) => setStoreIndex(Number(e.detail.value))}
            >
              <View className='field-input picker-value staff-store dyn'>{store?.name}</View>
            </Picker>
          </View>
          <View className='field field-role'>
            <Text className='field-label'>{t('staffRoles.role')}</Text>
            <View className='segmented'>
              {roles.map((r, i) => (
                <Text key={r} className={`segment staff-role-${r} ${i === roleIndex ? 'segment-on' : ''}`} onClick={() => setRoleIndex(i)}>
                  {t(`staffRoles.role.${r}`)}
                </Text>
              ))}
            </View>
          </View>
          <FormField
            name='staff-openid'
            label={t('staffRoles.openid')}
            placeholder={t('staffRoles.openidPlaceholder')}
            value={form.values.openid}
            onInput={form.set('openid')}
          />
          <Button className='btn btn-primary staff-grant' disabled={form.busy || !form.values.openid.trim()} onClick={grant}>
            {t('staffRoles.grant')}
          </Button>
          {granted && <Text className='muted staff-granted dyn'>{granted}</Text>}
        </View>
      )}
      {form.error && <Text className='error-text staff-error'>{form.error}</Text>}
    </View>
  );
}
