import { Text, View } from '@tarojs/components';
import type { RoleGrant } from '@shared/api/members';

/** Which store a member of staff is acting for, when they work in more than one; nothing otherwise. */
export function StorePicker({ grants, choice, onChoose }: { grants: RoleGrant[]; choice: number; onChoose: (index: number) => void }) {
  if (grants.length <= 1) return null;
  return (
    <>
      <Text className='field-label'>当前门店 Store</Text>
      <View>
        {grants.map((grant, i) => (
          <Text
            key={`${grant.storeId}-${grant.role}`}
            className={`tag store-choice ${i === choice ? 'tag-on' : ''}`}
            onClick={() => onChoose(i)}
          >
            {grant.storeName ?? grant.storeId}
          </Text>
        ))}
      </View>
    </>
  );
}
