import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { api, type LedgerEntry } from '../../../services/loopline';
import { go, usePullRefresh } from '../../../services/useMe';

export default function PointsPage() {
  usePageTitle('points.title');
  const [items, setItems] = useState<LedgerEntry[]>();
  const [balance, setBalance] = useState<number>();
  const [error, setError] = useState<string>();

  const load = () =>
    api.points().then(
      (page) => {
        setItems(page.items);
        setBalance(page.balance);
        setError(undefined);
      },
      (err) => setError(errorMessage(err)),
    );
  useDidShow(() => void load());
  usePullRefresh(load);

  return (
    <View className='page points-page'>
      <Text className='title'>{t('points.title')}</Text>
      {balance !== undefined && <Text className='subtitle points-balance'>{t('points.balance', { balance })}</Text>}
      <StatusView loading={!items && !error} error={error} onRetry={load} />
      {items?.length === 0 && (
        <EmptyState
          className='empty-points'
          title={t('points.empty')}
          hint={t('points.emptyHint')}
          action={t('points.emptyAction')}
          onAction={() => go('/pages/member/code/index')}
        />
      )}
      {items && items.length > 0 && (
        <View className='section points-list'>
          {items.map((entry) => (
            <View key={entry.id} className='row points-entry'>
              <View>
                <Text className='points-type'>{t(`points.type.${entry.type}`)}</Text>
                {entry.reason && (
                  <View>
                    <Text className='muted dyn'>{entry.reason}</Text>
                  </View>
                )}
                <View>
                  <Text className='muted mask'>{formatTime(entry.at)}</Text>
                </View>
              </View>
              <Text className={`points-delta ${entry.points >= 0 ? 'points-plus' : 'points-minus'}`}>
                {entry.points >= 0 ? `+${entry.points}` : entry.points}
              </Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
