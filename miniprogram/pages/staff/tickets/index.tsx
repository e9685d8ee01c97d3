import { Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { StorePicker } from '../../../components/StorePicker';
import { TicketRow } from '../../../components/Tickets';
import { errorMessage } from '../../../services/api';
import { tickets, type Ticket } from '../../../services/tickets';
import { go, useMe } from '../../../services/useMe';

/** The store's open tickets, the most pressing deadline first (the server sorts on it). */
export default function InboxPage() {
  const { me, loading, error } = useMe(['clerk', 'manager', 'admin']);
  const [storeChoice, setStoreChoice] = useState(0);
  const [items, setItems] = useState<Ticket[]>();
  const [loadError, setLoadError] = useState<string>();
  const storeGrants = (me?.roles ?? []).filter((grant) => grant.storeId);

  const load = (choice: number, grants = storeGrants) => {
    const storeId = grants[choice]?.storeId ?? undefined;
    tickets
      .inbox(storeId)
      .then((res) => {
        setItems(res.items);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
  };

  // useMe loads /me each time the page shows: the inbox follows it, and the chosen store.
  useEffect(() => {
    if (me && !error) load(storeChoice);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, storeChoice]);

  const counts = {
    overdue: items?.filter((t) => t.sla.badge === 'overdue').length ?? 0,
    atRisk: items?.filter((t) => t.sla.badge === 'at_risk').length ?? 0,
  };

  return (
    <View className='page inbox-page'>
      <Text className='title'>售后工单</Text>
      <Text className='subtitle'>
        待处理 {items?.length ?? '-'} · 即将超时 {counts.atRisk} · 已超时 {counts.overdue}
      </Text>
      <StatusView loading={(loading && !me) || (!items && !loadError && !error)} error={error ?? loadError} />
      {me && !error && storeGrants.length > 1 && (
        <View className='section'>
          <StorePicker grants={storeGrants} choice={storeChoice} onChoose={setStoreChoice} />
        </View>
      )}
      {items && !error && (
        <View className='section inbox-list'>
          {items.length === 0 && <Text className='empty'>没有待处理的工单 Inbox is clear</Text>}
          {items.map((t) => (
            <TicketRow key={t.id} ticket={t} staff onClick={() => go(`/pages/staff/ticket/index?id=${t.id}`)} />
          ))}
        </View>
      )}
    </View>
  );
}
