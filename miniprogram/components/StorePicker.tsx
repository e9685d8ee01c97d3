import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { MeResponse, RoleGrant } from '@shared/api';
import { t } from '../i18n';

/** Which store a member of staff acts for: their store grants, the chosen one and its id (admins need none). */
export function useStoreChoice(me: Pick<MeResponse, 'roles'> | undefined) {
  const [choice, setChoice] = useState(0);
  const grants = (me?.roles ?? []).filter((grant) => grant.storeId);
  const storeId = grants[choice]?.storeId ?? undefined;
  return { grants, choice, setChoice, storeId };
}

/** Which store a member of staff is acting for, when they work in more than one; nothing otherwise. */
export function StorePicker({ grants, choice, onChoose }: { grants: RoleGrant[]; choice: number; onChoose: (index: number) => void }) {
  if (grants.length <= 1) return null;
  return (
    <>
      <Text className='field-label'>{t('staff.store')}</Text>
      <View>
        {grants.map((grant, i) => (
          <Text
            key={`${grant.storeId}-${grant.role}`}
            className={`tag store-choice dyn ${i === choice ? 'tag-on' : ''}`}
            onClick={() => onChoose(i)}
          >
            {grant.storeName ?? grant.storeId}
          </Text>
        ))}
      </View>
    </>
  );
}
