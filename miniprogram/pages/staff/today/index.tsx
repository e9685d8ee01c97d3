import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { TODAY_KINDS } from '@shared/api/crm';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { crmApi, type TodayItem, type TodayView } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';

/** What the item is about, in the reader's language, from the server's structured facts. */
function itemLine(item: TodayItem): string {
  const time = formatTime(item.at);
  const ticket =
    item.ticketType && item.ticketState
      ? t('today.ticket', { type: t(`ticket.type.${item.ticketType}`), state: t(`ticket.state.${item.ticketState}`) })
      : '';
  switch (item.kind) {
    case 'complaint_escalated':
      return t('today.line.complaint_escalated', { ticket, count: item.escalations ?? 1, time });
    case 'low_rating':
      return t('today.line.low_rating', { ticket, stars: item.stars ?? '', time });
    default:
      return t(`today.line.${item.kind}`, { ticket, time });
  }
}

/** One store's day: what to handle, grouped by kind with counts, each item opening where it is handled. */
export default function TodayPage() {
  usePageTitle('today.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const store = useStoreChoice(me);
  const [today, setToday] = useState<TodayView>();
  const [loadError, setLoadError] = useState<string>();

  const load = async () => {
    if (!me || !store.storeId) return;
    try {
      setToday(await crmApi.today(store.storeId));
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    void load();
    // Reloads when the person or the chosen store changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, store.storeId]);
  useDidShow(() => {
    void load();
  });

  const total = today ? today.items.length : 0;
  return (
    <View className='page today-page'>
      <Text className='title'>{t('today.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={2} />
      {me && !error && (
        <>
          {store.grants.length > 1 && (
            <View className='section'>
              <StorePicker grants={store.grants} choice={store.choice} onChoose={store.setChoice} />
            </View>
          )}
          {!store.storeId && <Text className='muted today-no-store'>{t('today.noStore')}</Text>}
          {loadError && <Text className='error-text today-error'>{loadError}</Text>}
          {today && total === 0 && <EmptyState title={t('today.empty')} />}
          {today &&
            TODAY_KINDS.filter((kind) => today.items.some((item) => item.kind === kind)).map((kind) => (
              <View key={kind} className={`section today-group today-group-${kind}`}>
                <View className='row'>
                  <Text className='section-title'>{t(`today.kind.${kind}`)}</Text>
                  <Text className='tag today-count'>{today.counts[kind] ?? 0}</Text>
                </View>
                {today.items
                  .filter((item) => item.kind === kind)
                  .map((item) => (
                    <View key={`${item.kind}-${item.ticketId ?? item.customerId}`} className='row today-item' onClick={() => go(item.link)}>
                      <View className='grow'>
                        <Text className={`today-name${item.customerName ? ' dyn' : ''}`}>{item.customerName ?? t('customer.noName')}</Text>
                        <Text className='muted today-detail'>{itemLine(item)}</Text>
                      </View>
                      <Text className='menu-arrow'>›</Text>
                    </View>
                  ))}
              </View>
            ))}
        </>
      )}
    </View>
  );
}
