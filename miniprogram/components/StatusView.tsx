import { Button, Text, View } from '@tarojs/components';
import { t } from '../i18n';

/** Grey blocks in the shape of what is coming, while a page loads. */
export function Skeleton({ rows = 3, card }: { rows?: number; card?: boolean }) {
  return (
    <View className='skeleton' aria-busy='true' aria-label={t('common.loading')}>
      {card && <View className='skeleton-card' />}
      {Array.from({ length: rows }, (_, i) => (
        <View key={i} className='section skeleton-row'>
          <View className='skeleton-line skeleton-line-wide' />
          <View className='skeleton-line' />
        </View>
      ))}
    </View>
  );
}

/** What every page shows above its content: a skeleton while loading, or the error with a retry. */
export function StatusView({
  loading,
  error,
  onRetry,
  rows,
  card,
}: {
  loading?: boolean;
  error?: string;
  onRetry?: () => void;
  rows?: number;
  card?: boolean;
}) {
  if (error) {
    return (
      <View className='section status-error-box'>
        <Text className='error-text status-error'>{error}</Text>
        {onRetry && (
          <Button className='btn btn-secondary status-retry' onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </View>
    );
  }
  if (loading) return <Skeleton rows={rows} card={card} />;
  return null;
}
