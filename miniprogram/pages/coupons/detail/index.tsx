import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { QrCode } from '../../../components/QrCode';
import { StatusView } from '../../../components/StatusView';
import { errorMessage, showError } from '../../../services/api';
import { STATE_LABEL, walletTab } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Coupon } from '../../../services/loopline';
import { readSession } from '../../../services/session';

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
    title: coupon ? `送你一张「${coupon.name}」` : '送你一张优惠券',
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
      void loadQr();
    } catch (err) {
      showError(err);
    } finally {
      setBusy(false);
    }
  };

  const copyLink = () => {
    if (gift) void Taro.setClipboardData({ data: giftLink(gift.token) });
  };

  const secondsLeft = qr ? Math.max(0, Math.round((Date.parse(qr.expiresAt) - now) / 1000)) : 0;
  const usable = coupon?.state === 'available' && walletTab(coupon, now) === 'available';

  return (
    <View className='page coupon-detail-page'>
      <StatusView loading={!coupon && !error} error={error} />
      {coupon && (
        <>
          <CouponTicket coupon={coupon} dim={!usable && coupon.state !== 'gifting'} sub={`${formatTime(coupon.expiresAt)} 到期`}>
            <Text className={`ticket-state ticket-state-${coupon.state} coupon-state`}>{STATE_LABEL[coupon.state]}</Text>
          </CouponTicket>

          {usable && (
            <View className='section qr-box'>
              <Text className='section-title'>到店出示 Show at the till</Text>
              {qr ? <QrCode className='qr-image coupon-qr' value={qr.token} /> : <View className='qr-image' />}
              <Text className='qr-digits coupon-code'>{coupon.code}</Text>
              <Text className='muted qr-countdown'>
                {qr ? `二维码 ${secondsLeft} 秒后自动刷新 · 也可报券码核销` : '正在生成二维码…'}
              </Text>
            </View>
          )}

          {coupon.state === 'redeemed' && coupon.redeemedAt && (
            <View className='section'>
              <Text className='muted redeemed-at'>已于 {formatTime(coupon.redeemedAt)} 使用</Text>
            </View>
          )}

          {usable && (
            <Button className='btn btn-secondary gift-start' disabled={busy} onClick={startGift}>
              送给好友 Give to a friend
            </Button>
          )}

          {coupon.state === 'gifting' && (
            <View className='section gift-box'>
              <Text className='section-title'>赠送中 Waiting for your friend</Text>
              {gift ? (
                <>
                  <Text className='muted'>好友领取前，券仍属于你；{formatTime(gift.expiresAt)} 前未领取自动退回。</Text>
                  {process.env.TARO_ENV === 'weapp' ? (
                    <Button className='btn btn-primary gift-share' openType='share'>
                      发给微信好友 Share
                    </Button>
                  ) : (
                    <>
                      <Text className='gift-link' userSelect>
                        {giftLink(gift.token)}
                      </Text>
                      <Button className='btn btn-primary gift-copy' onClick={copyLink}>
                        复制链接 Copy link
                      </Button>
                    </>
                  )}
                </>
              ) : (
                <Text className='muted'>已生成赠送链接。可取消赠送后重新生成。</Text>
              )}
              <Button className='btn btn-secondary gift-cancel' disabled={busy} onClick={cancelGift}>
                取消赠送 Cancel
              </Button>
            </View>
          )}
        </>
      )}
    </View>
  );
}
