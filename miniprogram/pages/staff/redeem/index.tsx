import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { StatusView } from '../../../components/StatusView';
import { StorePicker } from '../../../components/StorePicker';
import { errorMessage } from '../../../services/api';
import { yuan } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Redemption, type RedemptionPreview, type TillInput } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

/** Why a coupon cannot be used, in the clerk's words; the server's message follows. */
const REASON: Record<string, string> = {
  ALREADY_REDEEMED: '已被使用',
  EXPIRED: '已过期',
  NOT_STARTED: '未到使用时间',
  NOT_USABLE_HERE: '不适用于本门店',
  THRESHOLD_NOT_MET: '订单金额未达到门槛',
  COUPON_GIFTING: '正在转赠中',
  COUPON_VOIDED: '已作废',
};

/** "128.5" → 12850 fen; blank → undefined; anything else → NaN. */
function amountFen(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^\d{1,7}(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : Number.NaN;
}

export default function RedeemPage() {
  const { me, loading, error } = useMe(['clerk', 'manager', 'admin']);
  const storeGrants = (me?.roles ?? []).filter((grant) => grant.storeId);
  const [storeChoice, setStoreChoice] = useState(0);
  const storeId = storeGrants[storeChoice]?.storeId ?? undefined;

  const [code, setCode] = useState('');
  // A scanned QR carries a short-lived token, not the code.
  const [qrToken, setQrToken] = useState<string>();
  const [amount, setAmount] = useState('');
  const [preview, setPreview] = useState<RedemptionPreview>();
  const [done, setDone] = useState<Redemption>();
  const [busy, setBusy] = useState(false);
  const [tillError, setTillError] = useState<string>();
  const [today, setToday] = useState<Redemption[]>();

  const orderAmountFen = amountFen(amount);
  const amountBad = Number.isNaN(orderAmountFen);

  const input = (): TillInput => ({
    ...(qrToken ? { qrToken } : { code: code.trim() }),
    ...(orderAmountFen !== undefined && !amountBad ? { orderAmountFen } : {}),
    ...(storeId ? { storeId } : {}),
  });

  const loadToday = async () => {
    try {
      setToday((await couponApi.today(storeId)).items);
    } catch (err) {
      setTillError(errorMessage(err));
    }
  };

  useEffect(() => {
    if (me && !error) void loadToday();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, storeId]);

  const check = async (override?: TillInput) => {
    setBusy(true);
    setTillError(undefined);
    setPreview(undefined);
    setDone(undefined);
    try {
      setPreview(await couponApi.preview(override ?? input()));
    } catch (err) {
      setTillError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const redeem = async () => {
    setBusy(true);
    setTillError(undefined);
    try {
      const result = await couponApi.redeem(input());
      setDone(result.redemption);
      setPreview(undefined);
      await loadToday();
    } catch (err) {
      setTillError(errorMessage(err));
      void loadToday();
      // What was checked is stale now (another till may have used it): show the coupon as it is.
      try {
        setPreview(await couponApi.preview(input()));
      } catch {
        setPreview(undefined);
      }
    } finally {
      setBusy(false);
    }
  };

  const scan = async () => {
    try {
      const result = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
      setQrToken(result.result);
      setCode('');
      await check({ qrToken: result.result, ...(storeId ? { storeId } : {}) });
    } catch {
      // the clerk closed the scanner
    }
  };

  const typed = (value: string) => {
    setCode(value);
    setQrToken(undefined);
    setPreview(undefined);
    setDone(undefined);
  };

  return (
    <View className='page redeem-page'>
      <Text className='title'>核销优惠券</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <View className='section'>
          {storeGrants.length > 1 && (
            <View className='field'>
              <StorePicker grants={storeGrants} choice={storeChoice} onChoose={setStoreChoice} />
            </View>
          )}
          {storeGrants.length === 1 && <Text className='muted till-store'>门店：{storeGrants[0]!.storeName}</Text>}
          {process.env.TARO_ENV === 'weapp' && (
            <Button className='btn btn-primary redeem-scan' disabled={busy} onClick={scan}>
              扫描券码 Scan
            </Button>
          )}
          <View className='field field-coupon-code' style={{ marginTop: '12px' }}>
            <Text className='field-label'>券码 Coupon code</Text>
            <Input
              className='field-input'
              value={qrToken ? '（已扫码）' : code}
              placeholder='输入顾客出示的 16 位券码'
              onInput={(e) => typed(e.detail.value)}
            />
          </View>
          <View className='field field-order-amount'>
            <Text className='field-label'>订单金额（元，可选） Order amount</Text>
            <Input className='field-input' type='digit' value={amount} placeholder='例如 128.00' onInput={(e) => setAmount(e.detail.value)} />
            {amountBad && <Text className='error-text'>请输入金额，如 128.50</Text>}
          </View>
          <Button className='btn btn-secondary redeem-check' disabled={busy || amountBad || (!code.trim() && !qrToken)} onClick={() => check()}>
            查验 Check
          </Button>
          {tillError && <Text className='error-text redeem-error'>{tillError}</Text>}
        </View>
      )}

      {preview && (
        <View className='section redeem-preview'>
          <CouponTicket coupon={preview.coupon} sub={`券码 ${preview.coupon.code}`} dim={!preview.usable} />
          {preview.usable ? (
            <>
              <Text className='preview-ok'>✓ 可在本店使用</Text>
              {preview.discountFen !== undefined && (
                <Text className='muted preview-discount'>本单优惠 {yuan(preview.discountFen)}</Text>
              )}
              <Button className='btn btn-primary redeem-submit' disabled={busy || amountBad} onClick={redeem}>
                确认核销 Redeem
              </Button>
            </>
          ) : (
            <Text className='error-text preview-reason'>
              ✗ 不能使用{preview.reason && REASON[preview.reason] ? `（${REASON[preview.reason]}）` : ''}：{preview.message ?? preview.reason}
            </Text>
          )}
        </View>
      )}

      {done && (
        <View className='section redeem-done'>
          <Text className='section-title'>核销成功 Redeemed</Text>
          <Text className='muted'>
            {done.code} · 优惠 {yuan(done.discountFen)}
            {done.orderAmountFen !== undefined ? ` · 订单 ${yuan(done.orderAmountFen)}` : ''}
          </Text>
        </View>
      )}

      {me && !error && (
        <View className='section today-list'>
          <Text className='section-title'>今日核销 Today ({today?.length ?? 0})</Text>
          {today?.length === 0 && <Text className='muted'>今天还没有核销</Text>}
          {today?.map((r) => (
            <View key={r.id} className={`row today-row today-${r.status}`}>
              <View>
                <Text className='today-code'>{r.code}</Text>
                <View>
                  <Text className='muted'>{formatTime(r.at).slice(11)}</Text>
                </View>
              </View>
              <Text className={r.status === 'voided' ? 'tag tag-muted' : 'tag'}>
                {r.status === 'voided' ? '已撤销' : `-${yuan(r.discountFen)}`}
              </Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
