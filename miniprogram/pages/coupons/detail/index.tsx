import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { QrCode } from '../../../components/QrCode';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage, showError } from '../../../services/api';
import { walletTab } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { readSession } from '../../../services/session';
import { toast } from '../../../services/useMe';

/** Fetch the next QR token this long before the shown one expires, so what is on screen always scans. */
const REFRESH_AHEAD_MS = 10_000;
const ACCEPT_PAGE = '/pages/coupons/accept/index';

interface Gift {
  token: string;
  expiresAt: string;
}

/** The H5 link a friend opens: this app, hash-routed to the accept page. */
function giftLink(token: string): string {
  const here = typeof window === 'undefined' ? '' : `${window.location.origin}${window.location.pathname}`;
  return `${here}#${ACCEPT_PAGE}?token=${encodeURIComponent(token)}`;
}

export default function CouponDetailPage() {
  usePageTitle('detail.title');
  const { params } = useRouter();
  const id = params.id ?? '';
  const [coupon, setCoupon] = useState<Coupon>();
  const [error, setError] = useState<string>();
  const [qr, setQr] = useState<{ token: string; expiresAt: string }>();
  const [gift, setGift] = useState<Gift>();
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(Date.now());
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>();
  const tick = useRef<ReturnType<typeof setInterval>>();
  const shown = useRef(false);

  const stop = () => {
    clearTimeout(refreshTimer.current);
    clearInterval(tick.current);
  };

  const loadQr = async () => {
    clearTimeout(refreshTimer.current);
    if (!shown.current) return;
    try {
      const fresh = await couponApi.qrToken(id);
      setQr(fresh);
      const wait = Math.max(5_000, Date.parse(fresh.expiresAt) - Date.now() - REFRESH_AHEAD_MS);
      refreshTimer.current = setTimeout(() => void loadQr(), wait);
    } catch (err) {
      setQr(undefined);
      setError(errorMessage(err));
    }
  };

  const load = async () => {
    if (!readSession()) return;
    try {
      const loaded = (await couponApi.coupon(id)).coupon;
      setCoupon(loaded);
      setError(undefined);
      if (loaded.state === 'available' && walletTab(loaded) === 'available') void loadQr();
      else setQr(undefined);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  useDidShow(() => {
    shown.current = true;
    void load();
    tick.current = setInterval(() => setNow(Date.now()), 1000);
  });
  useDidHide(() => {
    shown.current = false;
    stop();
  });
  useEffect(
    () => () => {
      shown.current = false;
      stop();
    },
    [],
  );

  useShareAppMessage(() => ({
    title: coupon ? t('detail.shareTitle', { name: coupon.name }) : t('detail.shareTitleAny'),
    path: gift ? `${ACCEPT_PAGE}?token=${encodeURIComponent(gift.token)}` : '/pages/coupons/center/index',
  }));

  const startGift = async () => {
    setBusy(true);
    try {
      const created = await couponApi.gift(id);
      setGift({ token: created.token, expiresAt: created.expiresAt });
      setCoupon(created.coupon);
      setQr(undefined);
      clearTimeout(refreshTimer.current);
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancelGift = async () => {
    setBusy(true);
    try {
      setCoupon((await couponApi.cancelGift(id)).coupon);
      setGift(undefined);
      toast(t('detail.giftCancelled'));
      void loadQr();
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };

  const copyLink = () => {
    if (gift) void Taro.setClipboardData({ data: giftLink(gift.token) }).then(() => toast(t('detail.linkCopied')));
  };

  const secondsLeft = qr ? Math.max(0, Math.round((Date.parse(qr.expiresAt) - now) / 1000)) : 0;
  const usable = coupon?.state === 'available' && walletTab(coupon, now) === 'available';

  return (
    <View className='page coupon-detail-page'>
      <StatusView loading={!coupon && !error} error={error} onRetry={load} rows={2} />
      {coupon && (
        <>
          <CouponTicket
            coupon={coupon}
            dim={!usable && coupon.state !== 'gifting'}
            subMasked
            sub={t('coupon.expires', { time: formatTime(coupon.expiresAt) })}
          >
            <Text className={`ticket-state ticket-state-${coupon.state} coupon-state`}>{t(`coupon.state.${coupon.state}`)}</Text>
          </CouponTicket>

          {usable && (
            <View className='section qr-box'>
              <Text className='section-title'>{t('detail.show')}</Text>
              {qr ? <QrCode className='qr-image coupon-qr mask' value={qr.token} /> : <View className='qr-image' />}
              <Text className='qr-digits coupon-code dyn mask'>{coupon.code}</Text>
              <Text className='muted qr-countdown mask'>{qr ? t('detail.qrRefresh', { seconds: secondsLeft }) : t('detail.qrMaking')}</Text>
            </View>
          )}

          {coupon.state === 'redeemed' && coupon.redeemedAt && (
            <View className='section'>
              <Text className='muted redeemed-at mask'>{t('detail.redeemedAt', { time: formatTime(coupon.redeemedAt) })}</Text>
            </View>
          )}

          {usable && (
            <Button className='btn btn-secondary gift-start' disabled={busy} onClick={startGift}>
              {t('detail.give')}
            </Button>
          )}

          {coupon.state === 'gifting' && (
            <View className='section gift-box'>
              <Text className='section-title'>{t('detail.giftTitle')}</Text>
              {gift ? (
                <>
                  <Text className='muted mask'>{t('detail.giftText', { time: formatTime(gift.expiresAt) })}</Text>
                  {process.env.TARO_ENV === 'weapp' ? (
                    <Button className='btn btn-primary gift-share' openType='share'>
                      {t('detail.share')}
                    </Button>
                  ) : (
                    <>
                      <Text className='gift-link dyn mask' userSelect>
                        {giftLink(gift.token)}
                      </Text>
                      <Button className='btn btn-primary gift-copy' onClick={copyLink}>
                        {t('detail.copyLink')}
                      </Button>
                    </>
                  )}
                </>
              ) : (
                <Text className='muted'>{t('detail.giftReady')}</Text>
              )}
              <Button className='btn btn-secondary gift-cancel' disabled={busy} onClick={cancelGift}>
                {t('detail.cancelGift')}
              </Button>
            </View>
          )}
        </>
      )}
    </View>
  );
}
