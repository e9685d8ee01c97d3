import { Text, View } from '@tarojs/components';
import { go } from '../services/useMe';

/** One row of a menu: a label (and a hint under it) that opens a page. */
export function MenuItem({
  label,
  hint,
  url,
  className,
  value,
  onClick,
}: {
  label: string;
  hint?: string;
  url?: string;
  className: string;
  /** Shown at the right, before the arrow (the current language, a count). */
  value?: string;
  onClick?: () => void;
}) {
  return (
    <View className={`menu-item ${className}`} onClick={onClick ?? (() => url && go(url))}>
      <View className='menu-text'>
        <Text className='menu-label'>{label}</Text>
        {hint && <Text className='menu-hint'>{hint}</Text>}
      </View>
      {value && <Text className='menu-value'>{value}</Text>}
      <Text className='menu-arrow'>›</Text>
    </View>
  );
}
