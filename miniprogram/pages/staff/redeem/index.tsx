import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { CouponTicket } from '../../../components/CouponTicket';
import { EmptyState } from '../../../components/EmptyState';
import { FormField } from '../../../components/FormField';
import { ScanSubmit } from '../../../components/ScanSubmit';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { t, usePageTitle } from '../../../i18n';
import { errorKey, errorMessage } from '../../../services/api';
import { yuan } from '../../../services/couponFormat';
import { formatTime } from '../../../services/format';
import { couponApi, type Redemption, type RedemptionPreview, type TillInput } from '../../../services/loopline';
import { toast, usePullRefresh, useMe } from '../../../services/useMe';

/** "128.5" → 12850 fen; blank → undefined; anything else → NaN. */
function amountFen(text: string): number | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return /^\d{1,7}(\.\d{1,2})?$/.test(trimmed) ? Math.round(Number(trimmed) * 100) : Number.NaN;
}

/** Why a coupon cannot be used, in the clerk's words (the preview carries the contract's code). */
function notUsableReason(preview: RedemptionPreview): string {
  const key = errorKey(preview.reason);
  return key ? t(key) : t('error.generic');
}

export default function RedeemPage() {
  usePageTitle('redeem.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const store = useStoreChoice(me);
  const { storeId, grants: storeGrants } = store;

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
  usePullRefresh(loadToday);

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
      toast(t('redeem.done'));
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

  const typed = (value: string) => {
    setCode(value);
    setQrToken(undefined);
    setPreview(undefined);
    setDone(undefined);
  };

  const scanned = async (token: string) => {
    setQrToken(token);
    setCode('');
    await check({ qrToken: token, ...(storeId ? { storeId } : {}) });
  };

  return (
    <View className='page redeem-page'>
      <Text className='title'>{t('redeem.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && !error && (
        <View className='section'>
          {storeGrants.length > 1 && (
            <View className='field'>
              <StorePicker grants={storeGrants} choice={store.choice} onChoose={store.setChoice} />
            </View>
          )}
          {storeGrants.length === 1 && (
            <Text className='muted till-store dyn'>{t('staff.storeIs', { store: storeGrants[0]!.storeName ?? '' })}</Text>
          )}
          <ScanSubmit
            name='coupon-code'
            label={t('redeem.code')}
            placeholder={t('redeem.codePlaceholder')}
            value={qrToken ? t('redeem.scanned') : code}
            onInput={typed}
            onScanned={scanned}
            onSubmit={() => void check()}
            submitLabel={t('redeem.check')}
            busy={busy}
            canSubmit={!amountBad && Boolean(code.trim() || qrToken)}
            scanClass='redeem-scan'
            submitClass='redeem-check'
          >
            <FormField
              name='order-amount'
              label={t('redeem.amount')}
              type='digit'
              value={amount}
              placeholder={t('redeem.amountPlaceholder')}
              onInput={setAmount}
            />
            {amountBad && <Text className='error-text'>{t('redeem.badAmount')}</Text>}
          </ScanSubmit>
          {tillError && <Text className='error-text redeem-error'>{tillError}</Text>}
        </View>
      )}

      {preview && (
        <View className='section redeem-preview'>
          <CouponTicket coupon={preview.coupon} sub={t('redeem.codeLine', { code: preview.coupon.code })} subMasked dim={!preview.usable} />
          {preview.usable ? (
            <>
              <Text className='preview-ok'>{t('redeem.usable')}</Text>
              {preview.discountFen !== undefined && (
                <Text className='muted preview-discount'>{t('redeem.discount', { amount: yuan(preview.discountFen) })}</Text>
              )}
              <Button className='btn btn-primary redeem-submit' disabled={busy || amountBad} onClick={redeem}>
                {t('redeem.submit')}
              </Button>
            </>
          ) : (
            <Text className='error-text preview-reason'>{t('redeem.notUsable', { reason: notUsableReason(preview) })}</Text>
          )}
        </View>
      )}

      {done && (
        <View className='section redeem-done'>
          <Text className='section-title'>{t('redeem.done')}</Text>
          <Text className='muted dyn mask done-code'>{done.code}</Text>
          <Text className='muted'>
            {t('redeem.doneLine', { discount: yuan(done.discountFen) })}
            {done.orderAmountFen !== undefined ? ` · ${t('redeem.doneOrder', { amount: yuan(done.orderAmountFen) })}` : ''}
          </Text>
        </View>
      )}

      {me && !error && (
        <View className='section today-list'>
          <Text className='section-title'>{t('redeem.today', { count: today?.length ?? 0 })}</Text>
          {today?.length === 0 && <EmptyState className='empty-today' title={t('redeem.todayEmpty')} />}
          {today?.map((r) => (
            <View key={r.id} className={`row today-row today-${r.status}`}>
              <View>
                <Text className='today-code dyn mask'>{r.code}</Text>
                <View>
                  <Text className='muted mask'>{formatTime(r.at).slice(11)}</Text>
                </View>
              </View>
              <Text className={r.status === 'voided' ? 'tag tag-muted' : 'tag'}>
                {r.status === 'voided' ? t('redeem.voided') : `-${yuan(r.discountFen)}`}
              </Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
