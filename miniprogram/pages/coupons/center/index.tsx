import { Button, Text, View } from '@tarojs/components';
import { useEffect, useRef, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { ApiError, errorMessage } from '../../../services/api';
import { campaignValidity, newIdempotencyKey } from '../../../services/couponFormat';
import { couponApi, type Campaign } from '../../../services/loopline';
import type { LockedCampaignView as LockedCampaign } from '@shared/coupons';
import { go, toast, usePullRefresh, useMe } from '../../../services/useMe';

/** 领券 tab: the campaigns a customer may claim from now. */
export default function CouponCenterPage() {
  usePageTitle('center.title', { tab: true });
  const { me, loading, error, reload } = useMe();
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
  usePullRefresh(async () => {
    await reload();
    await refresh();
  });

  const claim = async (campaign: Campaign) => {
    if (claiming) return;
    setClaiming(campaign.id);
    const key = (keys.current[campaign.id] ??= newIdempotencyKey());
    try {
      const { coupon, underReview } = await couponApi.claim(campaign.id, key);
      delete keys.current[campaign.id];
      setClaimed((all) => ({ ...all, [campaign.id]: coupon.id }));
      toast(underReview ? t('center.underReview') : t('center.claimed'));
      await refresh();
    } catch (err) {
      // A network failure keeps the key so the retry is the same claim; a refusal is final.
      if (err instanceof ApiError && err.status !== 0) delete keys.current[campaign.id];
      setClaimed((all) => {
        const next = { ...all };
        delete next[campaign.id];
        return next;
      });
      toast(errorMessage(err), 'none');
      setListError(errorMessage(err));
    } finally {
      setClaiming(undefined);
    }
  };

  return (
    <View className='page coupon-center-page'>
      <Text className='title'>{t('center.title')}</Text>
      <Text className='subtitle'>{t('center.subtitle')}</Text>
      <StatusView
        loading={(loading && !me) || (!!me && !campaigns && !listError)}
        error={error ?? (campaigns ? undefined : listError)}
        onRetry={() => void (me ? refresh() : reload())}
      />
      {campaigns && listError && <Text className='error-text claim-error'>{listError}</Text>}
      {campaigns?.length === 0 && (
        <EmptyState
          className='empty-center'
          title={t('center.empty')}
          hint={t('center.emptyHint')}
          action={t('center.emptyAction')}
          onAction={() => go('/pages/coupons/mine/index')}
        />
      )}
      {campaigns?.map((campaign) => (
        <CouponTicket
          key={campaign.id}
          className='campaign-item'
          coupon={campaign}
          sub={`${campaignValidity(campaign)} · ${t('center.remaining', { count: campaign.remaining })}`}
        >
          {claimed[campaign.id] ? (
            <Text
              className='ticket-btn ticket-btn-done claimed-link'
              onClick={() => go(`/pages/coupons/detail/index?id=${claimed[campaign.id]}`)}
            >
              {t('center.use')}
            </Text>
          ) : (
            <Text
              className={`ticket-btn claim-button ${claiming === campaign.id || campaign.remaining <= 0 ? 'ticket-btn-busy' : ''}`}
              onClick={() => campaign.remaining > 0 && void claim(campaign)}
            >
              {campaign.remaining <= 0 ? t('center.soldOut') : claiming === campaign.id ? t('center.claiming') : t('center.claim')}
            </Text>
          )}
        </CouponTicket>
      ))}
      {locked.length > 0 && (
        <View className='section locked-campaigns'>
          <Text className='section-title'>{t('center.locked')}</Text>
          {locked.map((campaign) => (
            <CouponTicket key={campaign.id} className='locked-item' coupon={campaign} dim sub={campaignValidity(campaign)}>
              <Text className='ticket-btn ticket-btn-busy'>{t('center.lockedTier', { tier: t(`tier.${campaign.requiredTier.id}`) })}</Text>
            </CouponTicket>
          ))}
        </View>
      )}
      {campaigns && campaigns.length > 0 && (
        <Button className='btn btn-secondary to-my-coupons' onClick={() => go('/pages/coupons/mine/index')}>
          {t('center.myCoupons')}
        </Button>
      )}
    </View>
  );
}
