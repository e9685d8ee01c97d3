import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';

/** Opens from a friend's share (weapp) or link (H5) carrying the gift token. */
export default function AcceptGiftPage() {
  const { params } = useRouter();
  const token = decodeURIComponent(params.token ?? '');
  const { me, loading, error } = useMe();
  const [coupon, setCoupon] = useState<Coupon>();
  const [busy, setBusy] = useState(false);
  const [acceptError, setAcceptError] = useState<string>();

  const accept = async () => {
    setBusy(true);
    setAcceptError(undefined);
    try {
      setCoupon((await couponApi.acceptGift(token)).coupon);
    } catch (err) {
      setAcceptError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page accept-gift-page'>
      <Text className='title'>好友送你一张券</Text>
      <Text className='subtitle'>A friend sent you a coupon</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !coupon && (
        <View className='section'>
          {!token && <Text className='error-text'>链接不完整 (the link has no gift token)</Text>}
          <Button className='btn btn-primary gift-accept' disabled={busy || !token} onClick={accept}>
            收下 Accept
          </Button>
          {acceptError && <Text className='error-text accept-error'>{acceptError}</Text>}
        </View>
      )}
      {coupon && (
        <>
          <CouponTicket className='accepted-coupon' coupon={coupon} sub={`${formatTime(coupon.expiresAt)} 到期`} />
          <Button className='btn btn-primary' onClick={() => go(`/pages/coupons/detail/index?id=${coupon.id}`)}>
            查看并使用 Use it
          </Button>
        </>
      )}
    </View>
  );
}
