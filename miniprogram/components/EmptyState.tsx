import { Button, Text, View } from '@tarojs/components';

/** An empty list that says what to do next, with the button that does it. */
export function EmptyState({
  title,
  hint,
  action,
  onAction,
  className,
}: {
  title: string;
  hint?: string;
  action?: string;
  onAction?: () => void;
  className?: string;
}) {
  return (
    <View className={`empty-state ${className ?? ''}`}>
      <View className='empty-mark' />
      <Text className='empty-title'>{title}</Text>
      {hint && <Text className='empty-hint'>{hint}</Text>}
      {action && onAction && (
        <Button className='btn btn-primary empty-action' onClick={onAction}>
          {action}
        </Button>
      )}
    </View>
  );
}
