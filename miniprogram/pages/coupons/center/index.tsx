import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { ApiError, errorMessage } from '../../../services/api';
import { campaignValidity, newIdempotencyKey } from '../../../services/couponFormat';
import { couponApi, type Campaign } from '../../../services/loopline';
import type { LockedCampaignView as LockedCampaign } from '@shared/coupons';
import { go, useMe } from '../../../services/useMe';

export default function CouponCenterPage() {
  const { me, loading, error } = useMe();
  const [campaigns, setCampaigns] = useState<Campaign[]>();
  const [locked, setLocked] = useState<LockedCampaign[]>([]);
  const [listError, setListError] = useState<string>();
  const [claiming, setClaiming] = useState<string>();
  const [claimed, setClaimed] = useState<Record<string, string>>({});
  // One key per campaign until the server gives a final answer: a double tap or a retry claims once.
  const keys = useRef<Record<string, string>>({});

  const refresh = async () => {
    try {
      const list = await couponApi.claimable();
      setCampaigns(list.items);
      setLocked(list.locked ?? []);
      setListError(undefined);
    } catch (err) {
      setListError(errorMessage(err));
    }
  };

  useEffect(() => {
    if (me) void refresh();
  }, [me]);

  const claim = async (campaign: Campaign) => {
    if (claiming) return;
    setClaiming(campaign.id);
    const key = (keys.current[campaign.id] ??= newIdempotencyKey());
    try {
      const { coupon } = await couponApi.claim(campaign.id, key);
      delete keys.current[campaign.id];
      setClaimed((all) => ({ ...all, [campaign.id]: coupon.id }));
      void Taro.showToast({ title: '领取成功', icon: 'success' });
      await refresh();
    } catch (err) {
      // A network failure keeps the key so the retry is the same claim; a refusal is final.
      if (err instanceof ApiError && err.status !== 0) delete keys.current[campaign.id];
      setClaimed((all) => {
        const next = { ...all };
        delete next[campaign.id];
        return next;
      });
      void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
      setListError(errorMessage(err));
    } finally {
      setClaiming(undefined);
    }
  };

  return (
    <View className='page coupon-center-page'>
      <Text className='title'>领券中心</Text>
      <Text className='subtitle'>Coupon centre · 领取后在「我的优惠券」出示使用</Text>
      <StatusView loading={(loading && !me) || (!!me && !campaigns && !listError)} error={error} />
      {listError && <Text className='error-text claim-error'>{listError}</Text>}
      {campaigns?.length === 0 && (
        <View className='section'>
          <Text className='muted'>暂时没有可领取的优惠券</Text>
        </View>
      )}
      {campaigns?.map((campaign) => (
        <CouponTicket
          key={campaign.id}
          className='campaign-item'
          coupon={campaign}
          sub={`${campaignValidity(campaign)} · 剩余 ${campaign.remaining}`}
        >
          {claimed[campaign.id] ? (
            <Text className='ticket-btn ticket-btn-done claimed-link' onClick={() => go(`/pages/coupons/detail/index?id=${claimed[campaign.id]}`)}>
              去使用
            </Text>
          ) : (
            <Text
              className={`ticket-btn claim-button ${claiming === campaign.id || campaign.remaining <= 0 ? 'ticket-btn-busy' : ''}`}
              onClick={() => campaign.remaining > 0 && void claim(campaign)}
            >
              {campaign.remaining <= 0 ? '已抢光' : claiming === campaign.id ? '领取中' : '领取'}
            </Text>
          )}
        </CouponTicket>
      ))}
      {locked.length > 0 && (
        <View className='section locked-campaigns'>
          <Text className='section-title'>升级会员可领</Text>
          {locked.map((campaign) => (
            <CouponTicket key={campaign.id} className='locked-item' coupon={campaign} dim sub={campaignValidity(campaign)}>
              <Text className='ticket-btn ticket-btn-busy'>{campaign.requiredTier.name}专享</Text>
            </CouponTicket>
          ))}
        </View>
      )}
      <Button className='btn btn-secondary to-my-coupons' onClick={() => go('/pages/coupons/mine/index')}>
        我的优惠券 My coupons
      </Button>
    </View>
  );
}
