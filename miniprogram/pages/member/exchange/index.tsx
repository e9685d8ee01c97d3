import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { ApiError, errorMessage } from '../../../services/api';
import { campaignValidity, newIdempotencyKey } from '../../../services/couponFormat';
import { exchangeApi, type PointsExchangeOffer, type PointsExchangeOffers } from '../../../services/loopline';
import { go } from '../../../services/useMe';

// Points exchange: the balance, what it buys, and a confirmation before the points are spent.
export default function PointsExchangePage() {
  const [data, setData] = useState<PointsExchangeOffers>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [done, setDone] = useState<Record<string, string>>({});
  // One key per offer until the server answers for good: a retried confirmation exchanges once.
  const keys = useRef<Record<string, string>>({});

  const load = async () => {
    try {
      setData(await exchangeApi.offers());
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  useDidShow(() => void load());

  const exchange = async (offer: PointsExchangeOffer) => {
    if (busy) return;
    const { confirm } = await Taro.showModal({ title: '确认兑换', content: `用 ${offer.pointsPrice} 积分兑换「${offer.name}」？` });
    if (!confirm) return;
    setBusy(offer.id);
    const key = (keys.current[offer.id] ??= newIdempotencyKey());
    try {
      const result = await exchangeApi.exchange(offer.id, key);
      delete keys.current[offer.id];
      setDone((all) => ({ ...all, [offer.id]: result.coupon.id }));
      setData((current) => (current ? { ...current, balance: result.balance } : current));
      void Taro.showToast({ title: '兑换成功', icon: 'success' });
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 0) delete keys.current[offer.id];
      setError(errorMessage(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <View className='page exchange-page'>
      <Text className='title'>积分兑换</Text>
      {data && (
        <View className='section exchange-balance'>
          <View>
            <Text className='muted'>可用积分 · {data.tier.name}会员</Text>
          </View>
          <Text className='exchange-balance-value' style={{ fontSize: '32px', fontWeight: 700, color: '#0f766e' }}>
            {data.balance}
          </Text>
        </View>
      )}
      <StatusView loading={!data && !error} error={undefined} />
      {error && <Text className='error-text exchange-error'>{error}</Text>}
      {data?.items.length === 0 && (
        <View className='section'>
          <Text className='muted'>暂时没有可兑换的优惠券</Text>
        </View>
      )}
      {data?.items.map((offer) => (
        <CouponTicket
          key={offer.id}
          className='exchange-item'
          coupon={offer}
          dim={Boolean(offer.requiredTier)}
          sub={`${offer.pointsPrice} 积分 · ${campaignValidity(offer)} · 剩余 ${offer.remaining}`}
        >
          {done[offer.id] ? (
            <Text className='ticket-btn ticket-btn-done exchanged-link' onClick={() => go(`/pages/coupons/detail/index?id=${done[offer.id]}`)}>
              去使用
            </Text>
          ) : (
            <Text
              className={`ticket-btn exchange-button ${!offer.affordable || busy === offer.id ? 'ticket-btn-busy' : ''}`}
              onClick={() => offer.affordable && void exchange(offer)}
            >
              {offer.requiredTier ? `${offer.requiredTier.name}专享` : !offer.affordable ? '积分不足' : busy === offer.id ? '兑换中' : '兑换'}
            </Text>
          )}
        </CouponTicket>
      ))}
    </View>
  );
}
