import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { STATE_LABEL, walletTab, type WalletTab } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';

const TABS: Array<{ key: WalletTab; label: string }> = [
  { key: 'available', label: '可使用' },
  { key: 'used', label: '已使用' },
  { key: 'expired', label: '已过期' },
];

export default function MyCouponsPage() {
  const { me, loading, error } = useMe();
  const [coupons, setCoupons] = useState<Coupon[]>();
  const [listError, setListError] = useState<string>();
  const [tab, setTab] = useState<WalletTab>('available');

  useEffect(() => {
    if (!me) return;
    couponApi
      .mine()
      .then((page) => {
        setCoupons(page.items);
        setListError(undefined);
      })
      .catch((err) => setListError(errorMessage(err)));
  }, [me]);

  const now = Date.now();
  const shown = (coupons ?? []).filter((c) => walletTab(c, now) === tab);
  const count = (key: WalletTab) => (coupons ?? []).filter((c) => walletTab(c, now) === key).length;

  return (
    <View className='page my-coupons-page'>
      <View className='tabs'>
        {TABS.map((t) => (
          <Text key={t.key} className={`tab tab-${t.key} ${tab === t.key ? 'tab-on' : ''}`} onClick={() => setTab(t.key)}>
            {t.label} {coupons ? count(t.key) : ''}
          </Text>
        ))}
      </View>
      <StatusView loading={(loading && !me) || (!!me && !coupons && !listError)} error={error ?? listError} />
      {coupons && shown.length === 0 && (
        <View className='section empty-coupons'>
          <Text className='muted'>这里还没有优惠券</Text>
          {tab === 'available' && (
            <Text className='link' onClick={() => go('/pages/coupons/center/index')}>
              去领券中心 ›
            </Text>
          )}
        </View>
      )}
      {shown.map((coupon) => (
        <CouponTicket
          key={coupon.id}
          className={`my-coupon my-coupon-${coupon.state}`}
          coupon={coupon}
          dim={tab !== 'available'}
          sub={
            coupon.redeemedAt
              ? `${formatTime(coupon.redeemedAt)} 已使用`
              : `${formatTime(coupon.expiresAt)} 到期`
          }
          onClick={() => go(`/pages/coupons/detail/index?id=${coupon.id}`)}
        >
          <Text className={`ticket-state ticket-state-${coupon.state}`}>{STATE_LABEL[coupon.state]}</Text>
        </CouponTicket>
      ))}
    </View>
  );
}
