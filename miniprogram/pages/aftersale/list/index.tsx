import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { TicketRow } from '../../../components/Tickets';
import { errorMessage } from '../../../services/api';
import { tickets, type Ticket } from '../../../services/tickets';
import { go, useMe } from '../../../services/useMe';

export default function MyTicketsPage() {
  const { me, loading, error } = useMe();
  const [items, setItems] = useState<Ticket[]>();
  const [loadError, setLoadError] = useState<string>();

  useDidShow(() => {
    tickets
      .mine()
      .then((res) => {
        setItems(res.items);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
  });

  return (
    <View className='page tickets-page'>
      <Text className='title'>售后服务</Text>
      <Text className='subtitle'>维修、退换货、投诉与咨询 After-sale service</Text>
      <StatusView loading={(loading && !me) || (!items && !loadError && !error)} error={error ?? loadError} />
      <Button className='btn btn-primary ticket-new' onClick={() => go('/pages/aftersale/new/index')}>
        申请售后 New request
      </Button>
      {items && (
        <View className='section ticket-list' style={{ marginTop: '24px' }}>
          <Text className='section-title'>我的工单 My tickets</Text>
          {items.length === 0 && <Text className='empty'>暂无工单 No tickets yet</Text>}
          {items.map((t) => (
            <TicketRow key={t.id} ticket={t} onClick={() => go(`/pages/aftersale/detail/index?id=${t.id}`)} />
          ))}
        </View>
      )}
    </View>
  );
}
