import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { TicketRow } from '../../../components/Tickets';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { tickets, type Ticket } from '../../../services/tickets';
import { go, usePullRefresh, useMe } from '../../../services/useMe';

const NEW_TICKET = '/pages/aftersale/new/index';

/** 售后 tab: the customer's requests and the way to start one. */
export default function MyTicketsPage() {
  usePageTitle('aftersale.title', { tab: true });
  const { me, loading, error, reload } = useMe();
  const [items, setItems] = useState<Ticket[]>();
  const [loadError, setLoadError] = useState<string>();

  const load = () =>
    tickets
      .mine()
      .then((res) => {
        setItems(res.items);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
  useDidShow(() => void load());
  usePullRefresh(load);

  return (
    <View className='page tickets-page'>
      <Text className='title'>{t('aftersale.title')}</Text>
      <Text className='subtitle'>{t('aftersale.subtitle')}</Text>
      <StatusView
        loading={(loading && !me) || (!items && !loadError && !error)}
        error={error ?? loadError}
        onRetry={() => void (error ? reload() : load())}
      />
      {items?.length === 0 && (
        <EmptyState
          className='empty-tickets'
          title={t('aftersale.empty')}
          hint={t('aftersale.emptyHint')}
          action={t('aftersale.new')}
          onAction={() => go(NEW_TICKET)}
        />
      )}
      {items && items.length > 0 && (
        <>
          <Button className='btn btn-primary ticket-new' onClick={() => go(NEW_TICKET)}>
            {t('aftersale.new')}
          </Button>
          <View className='section ticket-list' style={{ marginTop: '24px' }}>
            <Text className='section-title'>{t('aftersale.mine')}</Text>
            {items.map((ticket) => (
              <TicketRow key={ticket.id} ticket={ticket} onClick={() => go(`/pages/aftersale/detail/index?id=${ticket.id}`)} />
            ))}
          </View>
        </>
      )}
    </View>
  );
}
