import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import type { FlagView, ReviewStatus } from '@shared/engagement';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { isMessageKey } from '@shared/i18n';
import { t, usePageTitle, type MessageKey } from '../../../i18n';
import { errorMessage, showError } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { engagementApi } from '../../../services/loopline';
import { toast, usePullRefresh, useMe } from '../../../services/useMe';

const STATUSES: ReviewStatus[] = ['open', 'confirmed', 'cleared'];

const outcomeKey = (outcome: string): MessageKey => {
  const key = `review.outcome.${outcome}`;
  return isMessageKey(key) ? key : 'review.outcome.pending';
};

/**
 * Claims, gifts, follows and clerks that look like machine or coupon-farming work, with the reasons.
 * The admin confirms (fake: a held claim is refused and its coupon goes back to stock; the coupon can
 * be voided) or clears (real: a held claim is issued).
 */
export default function ReviewPage() {
  usePageTitle('review.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [status, setStatus] = useState<ReviewStatus>('open');
  const [items, setItems] = useState<FlagView[]>();
  const [counts, setCounts] = useState<Record<ReviewStatus, number>>();
  const [loadError, setLoadError] = useState<string>();
  const [saving, setSaving] = useState<string>();

  const load = async () => {
    try {
      const page = await engagementApi.queue(status);
      setItems(page.items);
      setCounts(page.counts);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (me && !error) void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, status]);
  usePullRefresh(load);

  const decide = async (flag: FlagView, action: 'confirm' | 'clear', voidCoupon = false) => {
    setSaving(flag.id);
    try {
      await engagementApi.decide(flag.id, { action, voidCoupon });
      setItems((list) => list?.filter((f) => f.id !== flag.id));
      setCounts(
        (c) =>
          c && {
            ...c,
            open: c.open - 1,
            [action === 'confirm' ? 'confirmed' : 'cleared']: c[action === 'confirm' ? 'confirmed' : 'cleared'] + 1,
          },
      );
      toast(t(action === 'confirm' ? 'review.confirmed' : 'review.cleared'));
    } catch (err) {
      showError(err);
    } finally {
      setSaving(undefined);
    }
  };

  return (
    <View className='page review-page'>
      <Text className='title'>{t('review.title')}</Text>
      <Text className='subtitle'>{t('review.subtitle')}</Text>
      <StatusView
        loading={(loading && !me) || (!!me && !items && !loadError && !error)}
        error={error ?? loadError}
        onRetry={() => void (me ? load() : reload())}
      />
      {me && !error && (
        <View className='section'>
          {STATUSES.map((s) => (
            <Text key={s} className={`tag review-filter review-filter-${s} ${s === status ? 'tag-on' : ''}`} onClick={() => setStatus(s)}>
              {t(`review.status.${s}`, { count: counts?.[s] ?? 0 })}
            </Text>
          ))}
        </View>
      )}
      {items && !error && items.length === 0 && (
        <EmptyState className='empty-review' title={t('review.empty')} hint={t('review.emptyHint')} />
      )}
      {items && !error && items.length > 0 && (
        <View className='section review-list'>
          {items.map((flag) => (
            <View key={flag.id} className={`card review-item review-${flag.kind} ${flag.held ? 'review-held' : ''}`}>
              <View className='bar-head'>
                <Text className='review-kind'>{`${t(`review.kind.${flag.kind}`)}${flag.held ? ` · ${t('review.held')}` : ''}`}</Text>
                <Text className='review-score'>{t('review.score', { score: flag.score.toFixed(1) })}</Text>
              </View>
              <View>
                {flag.signals.map((s) => (
                  <Text key={s.code} className='tag review-signal'>
                    {t(`review.signal.${s.code}`)}
                    {typeof s.detail.seen === 'number' ? <Text className='dyn'>{` ${s.detail.seen}`}</Text> : null}
                  </Text>
                ))}
              </View>
              <Text className='meta mask'>
                {t('review.meta', {
                  time: formatTime(flag.at),
                  who: (flag.customerId ?? flag.staffId ?? '').slice(-6),
                  address: flag.addressTag ?? '—',
                })}
              </Text>
              {flag.decision && <Text className='meta review-outcome'>{t(outcomeKey(flag.decision.outcome))}</Text>}
              {flag.status === 'open' && (
                <View className='actions'>
                  <Button
                    className='btn btn-primary review-confirm'
                    disabled={saving === flag.id}
                    onClick={() => decide(flag, 'confirm', !!flag.couponId && !flag.held)}
                  >
                    {flag.held ? t('review.refuse') : flag.couponId ? t('review.confirmVoid') : t('review.confirm')}
                  </Button>
                  <Button className='btn btn-secondary review-clear' disabled={saving === flag.id} onClick={() => decide(flag, 'clear')}>
                    {flag.held ? t('review.issue') : t('review.clear')}
                  </Button>
                </View>
              )}
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
