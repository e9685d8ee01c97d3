import { Button, Input, Picker, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { api, hasRole, type Store } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

const ROLES = [
  { value: 'clerk', label: '店员 Clerk' },
  { value: 'manager', label: '店长 Manager' },
] as const;

export default function StaffPage() {
  // Admins grant any role anywhere; a manager makes clerks for the stores they manage.
  const { me, loading, error } = useMe(['admin', 'manager']);
  const roles = hasRole(me, 'admin') ? ROLES : ROLES.filter((r) => r.value === 'clerk');
  const [stores, setStores] = useState<Store[]>([]);
  const [storeIndex, setStoreIndex] = useState(0);
  const [roleIndex, setRoleIndex] = useState(0);
  const [openid, setOpenid] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [granted, setGranted] = useState<string>();

  useEffect(() => {
    if (!me || error) return;
    api.stores().then(
      (page) => setStores(page.items),
      (err) => setFormError(errorMessage(err)),
    );
  }, [me, error]);

  const store = stores[storeIndex];
  const role = roles[roleIndex] ?? ROLES[0];

  const grant = async () => {
    if (!store) return;
    setBusy(true);
    setFormError(undefined);
    setGranted(undefined);
    try {
      await api.grantStaff({ openid: openid.trim(), role: role.value, storeId: store.id });
      setGranted(`已授权 ${openid.trim()} 为 ${store.name} 的${role.label}`);
      void Taro.showToast({ title: '已授权', icon: 'success' });
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page staff-page'>
      <Text className='title'>店员授权 Staff</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <View className='section'>
          {stores.length === 0 ? (
            <Text className='muted'>请先创建门店</Text>
          ) : (
            <>
              <View className='field field-store'>
                <Text className='field-label'>门店 Store</Text>
                <Picker mode='selector' range={stores.map((s) => s.name)} value={storeIndex} onChange={(e) => setStoreIndex(Number(e.detail.value))}>
                  <View className='field-input picker-value staff-store'>{store?.name}</View>
                </Picker>
              </View>
              <View className='field field-role'>
                <Text className='field-label'>角色 Role</Text>
                <View style={{ display: 'flex', gap: '8px' }}>
                  {roles.map((r, i) => (
                    <Button
                      key={r.value}
                      className={`btn ${i === roleIndex ? 'btn-primary' : 'btn-secondary'} staff-role-${r.value}`}
                      style={{ margin: 0 }}
                      onClick={() => setRoleIndex(i)}
                    >
                      {r.label}
                    </Button>
                  ))}
                </View>
              </View>
              <View className='field field-staff-openid'>
                <Text className='field-label'>员工 openid</Text>
                <Input className='field-input' value={openid} placeholder='员工登录小程序后的 openid' onInput={(e) => setOpenid(e.detail.value)} />
              </View>
              <Button className='btn btn-primary staff-grant' disabled={busy || !openid.trim()} onClick={grant}>
                授权 Grant
              </Button>
            </>
          )}
          {granted && <Text className='muted staff-granted'>{granted}</Text>}
          {formError && <Text className='error-text staff-error'>{formError}</Text>}
        </View>
      )}
    </View>
  );
}
