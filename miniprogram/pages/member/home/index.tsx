import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { SUBSCRIBE_TEMPLATES } from '@shared/api/members';
import { TIERS } from '@shared/tiers';
import { StatusView } from '../../../components/StatusView';
import { MenuItem } from '../../../components/MenuItem';
import { t, usePageTitle } from '../../../i18n';
import { exchangeApi, type Member } from '../../../services/loopline';
import { go, toast, usePullRefresh, useMe } from '../../../services/useMe';

/** 会员 tab: the member card, the member code a tap away, or the invitation to join. */
export default function HomePage() {
  usePageTitle('home.title', { tab: true });
  const { me, loading, error, reload } = useMe();
  usePullRefresh(reload);

  return (
    <View className='page home-page'>
      <StatusView loading={loading && !me} error={error} onRetry={reload} card rows={1} />
      {me && (
        <>
          {me.member ? (
            <>
              <MemberCard member={me.member} />
              <Button className='btn btn-primary show-code' onClick={() => go('/pages/member/code/index')}>
                {t('home.showCode')}
              </Button>
              <View className='section menu'>
                <MenuItem className='menu-points' label={t('home.points')} url='/pages/member/points/index' />
                <MenuItem className='menu-exchange' label={t('home.exchange')} url='/pages/member/exchange/index' />
                <MenuItem className='menu-my-coupons' label={t('home.couponsShortcut')} url='/pages/coupons/mine/index' />
              </View>
              <TierBenefits tierId={me.member.tier.id} />
            </>
          ) : (
            <View className='section join-invite'>
              <Text className='section-title'>{t('home.joinTitle')}</Text>
              <Text className='muted'>{t('home.joinText')}</Text>
              <Button className='btn btn-primary join-button' onClick={() => go('/pages/member/join/index')}>
                {t('home.joinButton')}
              </Button>
            </View>
          )}
        </>
      )}
    </View>
  );
}

export function MemberCard({ member }: { member: Member }) {
  const next = member.nextTier;
  // The tier follows points earned over 12 months, so progress is measured on those, not the balance.
  const earned = member.earnedLast12Months;
  const progress = next ? earned / (earned + next.pointsNeeded) : 1;
  const percent = Math.round(Math.min(1, Math.max(0, progress)) * 100);
  return (
    <View className='member-card'>
      <View className='card-head'>
        <Text className='card-brand'>{t('card.brand')}</Text>
        <Text className='card-no mask'>{t('card.memberNo', { no: member.memberNo })}</Text>
      </View>
      <Text className='card-tier'>{t(`tier.${member.tier.id}`)}</Text>
      <View>
        <Text className='card-points'>{member.points}</Text>
        <Text className='card-points-label'>{t('card.points')}</Text>
      </View>
      <View className='progress'>
        <View className='progress-bar' style={{ width: `${percent}%` }} />
      </View>
      <Text className='card-next'>{next ? t('card.next', { points: next.pointsNeeded, tier: t(`tier.${next.id}`) }) : t('card.top')}</Text>
    </View>
  );
}

/** What the member's tier gives (worded from the tier's figures), and a way to be told of the birthday gift. */
export function TierBenefits({ tierId }: { tierId: string }) {
  const tier = TIERS.find((x) => x.id === tierId) ?? TIERS[0]!;
  const tierName = t(`tier.${tier.id}`);
  const benefits = [
    tier.pointsMultiplier === 1 ? t('benefit.earn') : t('benefit.multiplier', { times: tier.pointsMultiplier }),
    t('benefit.exchange'),
    t('benefit.birthday'),
    ...(tier.rank > 0 ? [t('benefit.exclusive', { tier: tierName })] : []),
  ];
  const remindBirthday = async () => {
    try {
      const answer = await Taro.requestSubscribeMessage({ tmplIds: [SUBSCRIBE_TEMPLATES.birthdayGift] } as never);
      if ((answer as Record<string, string>)[SUBSCRIBE_TEMPLATES.birthdayGift] !== 'accept') return;
      await exchangeApi.acceptSubscriptions([SUBSCRIBE_TEMPLATES.birthdayGift]);
      toast(t('home.birthdayOn'));
    } catch {
      // Where subscribe messages are not offered (H5), say where the gift will be anyway.
      toast(t('home.birthdayWhere'), 'none');
    }
  };
  return (
    <View className='section tier-benefits'>
      <Text className='section-title'>{t('home.benefits', { tier: tierName })}</Text>
      {benefits.map((benefit) => (
        <View key={benefit} className='row benefit-item'>
          <Text>{benefit}</Text>
        </View>
      ))}
      <Text className='muted birthday-remind' onClick={() => void remindBirthday()}>
        {t('home.birthdayRemind')}
      </Text>
    </View>
  );
}
