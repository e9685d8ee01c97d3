import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { walletTab, type WalletTab } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { go, usePullRefresh, useMe } from '../../../services/useMe';

const TABS: WalletTab[] = ['available', 'used', 'expired'];

export default function MyCouponsPage() {
  usePageTitle('mine.title');
  const { me, loading, error, reload } = useMe();
  const [coupons, setCoupons] = useState<Coupon[]>();
  const [listError, setListError] = useState<string>();
  const [tab, setTab] = useState<WalletTab>('available');

  const load = () =>
    couponApi
      .mine()
      .then((page) => {
        setCoupons(page.items);
        setListError(undefined);
      })
      .catch((err) => setListError(errorMessage(err)));
  useEffect(() => {
    if (me) void load();
  }, [me]);
  usePullRefresh(load);

  const now = Date.now();
  const shown = (coupons ?? []).filter((c) => walletTab(c, now) === tab);
  const count = (key: WalletTab) => (coupons ?? []).filter((c) => walletTab(c, now) === key).length;

  return (
    <View className='page my-coupons-page'>
      <View className='tabs'>
        {TABS.map((key) => (
          <Text key={key} className={`tab tab-${key} ${tab === key ? 'tab-on' : ''}`} onClick={() => setTab(key)}>
            {t(`mine.tab.${key}`, { count: coupons ? count(key) : '' })}
          </Text>
        ))}
      </View>
      <StatusView
        loading={(loading && !me) || (!!me && !coupons && !listError)}
        error={error ?? listError}
        onRetry={() => void (me ? load() : reload())}
      />
      {coupons && shown.length === 0 && (
        <EmptyState
          className='empty-coupons'
          title={t(`mine.empty.${tab}`)}
          action={t('mine.emptyAction')}
          onAction={() => go('/pages/coupons/center/index')}
        />
      )}
      {shown.map((coupon) => (
        <CouponTicket
          key={coupon.id}
          className={`my-coupon my-coupon-${coupon.state}`}
          coupon={coupon}
          dim={tab !== 'available'}
          subMasked
          sub={
            coupon.redeemedAt
              ? t('coupon.usedAt', { time: formatTime(coupon.redeemedAt) })
              : t('coupon.expires', { time: formatTime(coupon.expiresAt) })
          }
          onClick={() => go(`/pages/coupons/detail/index?id=${coupon.id}`)}
        >
          <Text className={`ticket-state ticket-state-${coupon.state}`}>{t(`coupon.state.${coupon.state}`)}</Text>
        </CouponTicket>
      ))}
    </View>
  );
}
