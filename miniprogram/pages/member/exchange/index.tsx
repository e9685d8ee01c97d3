import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import type { TierId } from '@shared/tiers';
import { CouponTicket } from '../../../components/CouponTicket';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { ApiError, errorMessage } from '../../../services/api';
import { campaignValidity, newIdempotencyKey } from '../../../services/couponFormat';
import { exchangeApi, type PointsExchangeOffer, type PointsExchangeOffers } from '../../../services/loopline';
import { go, toast, usePullRefresh, useMe } from '../../../services/useMe';

/** Points exchange: the balance, what it buys, and a confirmation before the points are spent. */
export default function PointsExchangePage() {
  usePageTitle('exchange.title');
  const { me, loading, error, reload } = useMe();
  const [listError, setListError] = useState<string>();
  const [data, setData] = useState<PointsExchangeOffers>();
  const refresh = async () => {
    try {
      setData(await exchangeApi.offers());
      setListError(undefined);
    } catch (err) {
      setListError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (me && !error) void refresh();
  }, [me, error]);
  usePullRefresh(async () => {
    await reload();
    await refresh();
  });
  const [busy, setBusy] = useState<string>();
  const [done, setDone] = useState<Record<string, string>>({});
  // One key per offer until the server answers for good: a retried confirmation exchanges once.
  const keys = useRef<Record<string, string>>({});

  const exchange = async (offer: PointsExchangeOffer) => {
    if (busy) return;
    const { confirm } = await Taro.showModal({
      title: t('exchange.confirmTitle'),
      content: t('exchange.confirmText', { points: offer.pointsPrice, name: offer.name }),
    });
    if (!confirm) return;
    setBusy(offer.id);
    const key = (keys.current[offer.id] ??= newIdempotencyKey());
    try {
      const result = await exchangeApi.exchange(offer.id, key);
      delete keys.current[offer.id];
      setDone((all) => ({ ...all, [offer.id]: result.coupon.id }));
      setData((current) => (current ? { ...current, balance: result.balance } : current));
      toast(t('exchange.done'));
      await refresh();
    } catch (err) {
      // A network failure keeps the key so the retry is the same exchange; a refusal is final.
      if (err instanceof ApiError && err.status !== 0) delete keys.current[offer.id];
      toast(errorMessage(err), 'none');
      setListError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  const buttonLabel = (offer: PointsExchangeOffer) =>
    offer.requiredTier
      ? t('center.lockedTier', { tier: t(`tier.${offer.requiredTier.id as TierId}`) })
      : !offer.affordable
        ? t('exchange.short')
        : busy === offer.id
          ? t('exchange.busy')
          : t('exchange.button');

  return (
    <View className='page exchange-page'>
      <Text className='title'>{t('exchange.title')}</Text>
      <StatusView
        loading={(loading && !me) || (!!me && !data && !listError)}
        error={error ?? (data ? undefined : listError)}
        onRetry={() => void (me ? refresh() : reload())}
      />
      {data && (
        <View className='section exchange-balance'>
          <View>
            <Text className='muted'>{t('exchange.balance', { tier: t(`tier.${data.tier.id as TierId}`) })}</Text>
          </View>
          <Text className='exchange-balance-value' style={{ fontSize: '32px', fontWeight: 700, color: '#0f766e' }}>
            {data.balance}
          </Text>
        </View>
      )}
      {data && listError && <Text className='error-text exchange-error'>{listError}</Text>}
      {data?.items.length === 0 && (
        <EmptyState
          className='empty-exchange'
          title={t('exchange.empty')}
          hint={t('exchange.emptyHint')}
          action={t('exchange.emptyAction')}
          onAction={() => go('/pages/coupons/center/index')}
        />
      )}
      {data?.items.map((offer) => (
        <CouponTicket
          key={offer.id}
          className='exchange-item'
          coupon={offer}
          dim={Boolean(offer.requiredTier)}
          sub={`${t('exchange.price', { points: offer.pointsPrice })} · ${campaignValidity(offer)} · ${t('center.remaining', { count: offer.remaining })}`}
        >
          {done[offer.id] ? (
            <Text
              className='ticket-btn ticket-btn-done exchanged-link'
              onClick={() => go(`/pages/coupons/detail/index?id=${done[offer.id]}`)}
            >
              {t('center.use')}
            </Text>
          ) : (
            <Text
              className={`ticket-btn exchange-button ${offer.requiredTier || !offer.affordable || busy === offer.id ? 'ticket-btn-busy' : ''}`}
              onClick={() => !offer.requiredTier && offer.affordable && void exchange(offer)}
            >
              {buttonLabel(offer)}
            </Text>
          )}
        </CouponTicket>
      ))}
    </View>
  );
}
