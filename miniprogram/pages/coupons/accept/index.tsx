import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { go, toast, useMe } from '../../../services/useMe';

/** Opens from a friend's share (weapp) or link (H5) carrying the gift token. */
export default function AcceptGiftPage() {
  usePageTitle('accept.title');
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
      toast(t('accept.accepted'));
    } catch (err) {
      setAcceptError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page accept-gift-page'>
      <Text className='title'>{t('accept.title')}</Text>
      <Text className='subtitle'>{t('accept.subtitle')}</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !coupon && (
        <View className='section'>
          {!token && <Text className='error-text'>{t('accept.noToken')}</Text>}
          <Button className='btn btn-primary gift-accept' disabled={busy || !token} onClick={accept}>
            {t('accept.accept')}
          </Button>
          {acceptError && <Text className='error-text accept-error'>{acceptError}</Text>}
        </View>
      )}
      {coupon && (
        <>
          <CouponTicket
            className='accepted-coupon'
            coupon={coupon}
            subMasked
            sub={t('coupon.expires', { time: formatTime(coupon.expiresAt) })}
          />
          <Button className='btn btn-primary' onClick={() => go(`/pages/coupons/detail/index?id=${coupon.id}`)}>
            {t('accept.use')}
          </Button>
        </>
      )}
    </View>
  );
}
