import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { StatusView } from '../../../components/StatusView';
import { hasRole, type Member } from '../../../services/loopline';
import { clearSession } from '../../../services/session';
import { go, useMe } from '../../../services/useMe';
import { SIGN_IN_PAGE } from '../../../services/api';
import { TIERS } from '@shared/tiers';
import { SUBSCRIBE_TEMPLATES } from '@shared/api/members';
import { exchangeApi } from '../../../services/loopline';

export default function HomePage() {
  const { me, loading, error } = useMe();
  const isStaff = hasRole(me, 'clerk', 'manager', 'admin');
  const isAdmin = hasRole(me, 'admin');
  const isManager = hasRole(me, 'manager');

  const signOut = () => {
    clearSession();
    void Taro.reLaunch({ url: SIGN_IN_PAGE });
  };

  return (
    <View className='page home-page'>
      <StatusView loading={loading && !me} error={error} />
      {me && (
        <>
          {me.member ? (
            <>
              <MemberCard member={me.member} />
              <TierBenefits tierId={me.member.tier.id} />
            </>
          ) : (
            <View className='section join-invite'>
              <Text className='section-title'>成为会员 Become a member</Text>
              <Text className='muted'>入会即可积分、升级、领取会员专享券。</Text>
              <Button className='btn btn-primary join-button' onClick={() => go('/pages/member/join/index')}>
                立即入会 Join
              </Button>
            </View>
          )}

          <View className='section'>
            {me.member && (
              <>
                <MenuItem className='menu-code' label='会员码 Member code' url='/pages/member/code/index' />
                <MenuItem className='menu-points' label='积分明细 Points history' url='/pages/member/points/index' />
                <MenuItem className='menu-exchange' label='积分兑换' url='/pages/member/exchange/index' />
              </>
            )}
            <MenuItem className='menu-coupon-center' label='领券中心 Coupon centre' url='/pages/coupons/center/index' />
            <MenuItem className='menu-my-coupons' label='我的优惠券 My coupons' url='/pages/coupons/mine/index' />
            <MenuItem className='menu-aftersale' label='售后服务 After-sale' url='/pages/aftersale/list/index' />
            <MenuItem className='menu-profile' label='个人资料 Profile' url='/pages/profile/edit/index' />
            <MenuItem className='menu-privacy' label='隐私与数据 Privacy' url='/pages/profile/privacy/index' />
          </View>

          {isStaff && (
            <View className='section'>
              <Text className='section-title'>门店 Staff</Text>
              <MenuItem className='menu-identify' label='识别会员 Identify a member' url='/pages/staff/identify/index' />
              <MenuItem className='menu-redeem' label='核销优惠券 Redeem a coupon' url='/pages/staff/redeem/index' />
              <MenuItem className='menu-inbox' label='售后工单 After-sale inbox' url='/pages/staff/tickets/index' />
              <MenuItem className='menu-complaints' label='消息判定 Complaint check' url='/pages/staff/complaints/index' />
              {isManager && !isAdmin && (
                <MenuItem className='menu-staff' label='店员授权 Staff roles' url='/pages/admin/staff/index' />
              )}
            </View>
          )}
          {isAdmin && (
            <View className='section'>
              <Text className='section-title'>管理 Admin</Text>
              <MenuItem className='menu-stores' label='门店 Stores' url='/pages/admin/stores/index' />
              <MenuItem className='menu-staff' label='店员授权 Staff roles' url='/pages/admin/staff/index' />
              <MenuItem className='menu-campaigns' label='优惠券活动 Campaigns' url='/pages/admin/campaigns/index' />
              <MenuItem className='menu-funnel' label='活动漏斗 Funnel' url='/pages/admin/funnel/index' />
              <MenuItem className='menu-keyword-rules' label='关键词回复 Keyword replies' url='/pages/admin/keyword-rules/index' />
              <MenuItem className='menu-oa-menu' label='公众号菜单' url='/pages/admin/oa-menu/index' />
            </View>
          )}

          <Button className='btn btn-secondary sign-out' onClick={signOut}>
            退出登录 Sign out
          </Button>
        </>
      )}
    </View>
  );
}

function MenuItem({ label, url, className }: { label: string; url: string; className: string }) {
  return (
    <View className={`menu-item ${className}`} onClick={() => go(url)}>
      <Text>{label}</Text>
      <Text className='menu-arrow'>›</Text>
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
        <Text className='card-brand'>LOOPLINE MEMBER</Text>
        <Text className='card-no'>No. {member.memberNo}</Text>
      </View>
      <Text className='card-tier'>{member.tier.name}</Text>
      <View>
        <Text className='card-points'>{member.points}</Text>
        <Text className='card-points-label'>积分 points</Text>
      </View>
      <View className='progress'>
        <View className='progress-bar' style={{ width: `${percent}%` }} />
      </View>
      <Text className='card-next'>
        {next ? `再得 ${next.pointsNeeded} 积分升级为 ${next.name}` : '已是最高等级 Top tier'}
      </Text>
    </View>
  );
}

/** What the member's tier gives, and a way to be told of the birthday gift. */
export function TierBenefits({ tierId }: { tierId: string }) {
  const tier = TIERS.find((t) => t.id === tierId) ?? TIERS[0]!;
  const remindBirthday = async () => {
    try {
      const answer = await Taro.requestSubscribeMessage({ tmplIds: [SUBSCRIBE_TEMPLATES.birthdayGift] } as never);
      if ((answer as Record<string, string>)[SUBSCRIBE_TEMPLATES.birthdayGift] !== 'accept') return;
      await exchangeApi.acceptSubscriptions([SUBSCRIBE_TEMPLATES.birthdayGift]);
      void Taro.showToast({ title: '已开启生日提醒', icon: 'success' });
    } catch {
      void Taro.showToast({ title: '生日礼会放入「我的优惠券」', icon: 'none' });
    }
  };
  return (
    <View className='section tier-benefits'>
      <Text className='section-title'>{tier.name}会员权益</Text>
      {tier.benefits.map((benefit) => (
        <View key={benefit} className='row benefit-item'>
          <Text>{benefit}</Text>
        </View>
      ))}
      <Text className='muted birthday-remind' onClick={() => void remindBirthday()}>
        生日月礼券提醒 ›
      </Text>
    </View>
  );
}
