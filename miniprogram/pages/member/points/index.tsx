import { Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { api, type LedgerEntry } from '../../../services/loopline';

export default function PointsPage() {
  const [items, setItems] = useState<LedgerEntry[]>();
  const [balance, setBalance] = useState<number>();
  const [error, setError] = useState<string>();

  useDidShow(() => {
    api.points().then(
      (page) => {
        setItems(page.items);
        setBalance(page.balance);
        setError(undefined);
      },
      (err) => setError(errorMessage(err)),
    );
  });

  return (
    <View className='page points-page'>
      <Text className='title'>积分明细</Text>
      {balance !== undefined && <Text className='subtitle points-balance'>当前积分 Balance: {balance}</Text>}
      <StatusView loading={!items} error={error} />
      {items && (
        <View className='section points-list'>
          {items.length === 0 && <Text className='muted'>还没有积分记录</Text>}
          {items.map((entry) => (
            <View key={entry.id} className='row points-entry'>
              <View>
                <Text>{entry.reason}</Text>
                <View>
                  <Text className='muted'>{formatTime(entry.at)}</Text>
                </View>
              </View>
              <Text className='points-delta' style={{ color: entry.points >= 0 ? '#0f766e' : '#b91c1c', fontWeight: 600 }}>
                {entry.points >= 0 ? `+${entry.points}` : entry.points}
              </Text>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
