import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { TicketRow } from '../../../components/Tickets';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { tickets, type Ticket } from '../../../services/tickets';
import { go, usePullRefresh, useMe } from '../../../services/useMe';

/** The store's open tickets, the most pressing deadline first (the server sorts on it). */
export default function InboxPage() {
  usePageTitle('inbox.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const store = useStoreChoice(me);
  const [items, setItems] = useState<Ticket[]>();
  const [loadError, setLoadError] = useState<string>();

  const load = () =>
    tickets
      .inbox(store.storeId)
      .then((res) => {
        setItems(res.items);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));

  // useMe loads /me each time the page shows: the inbox follows it, and the chosen store.
  useEffect(() => {
    if (me && !error) void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, store.choice]);
  usePullRefresh(load);

  const counts = {
    open: items?.length ?? 0,
    overdue: items?.filter((ticket) => ticket.sla.badge === 'overdue').length ?? 0,
    atRisk: items?.filter((ticket) => ticket.sla.badge === 'at_risk').length ?? 0,
  };

  return (
    <View className='page inbox-page'>
      <Text className='title'>{t('inbox.title')}</Text>
      {items && <Text className='subtitle inbox-counts'>{t('inbox.counts', counts)}</Text>}
      <StatusView
        loading={(loading && !me) || (!items && !loadError && !error)}
        error={error ?? loadError}
        onRetry={() => void (error ? reload() : load())}
      />
      {me && !error && store.grants.length > 1 && (
        <View className='section'>
          <StorePicker grants={store.grants} choice={store.choice} onChoose={store.setChoice} />
        </View>
      )}
      {items?.length === 0 && !error && <EmptyState className='empty-inbox' title={t('inbox.empty')} hint={t('inbox.emptyHint')} />}
      {items && items.length > 0 && !error && (
        <View className='section inbox-list'>
          {items.map((ticket) => (
            <TicketRow key={ticket.id} ticket={ticket} staff onClick={() => go(`/pages/staff/ticket/index?id=${ticket.id}`)} />
          ))}
        </View>
      )}
    </View>
  );
}
