import { Text, View } from '@tarojs/components';

/** The loading / error line every page shows above its content. */
export function StatusView({ loading, error }: { loading?: boolean; error?: string }) {
  if (error) {
    return (
      <View className='section'>
        <Text className='error-text status-error'>{error}</Text>
      </View>
    );
  }
  if (loading) {
    return (
      <View className='section'>
        <Text className='muted'>加载中… Loading</Text>
      </View>
    );
  }
  return null;
}
