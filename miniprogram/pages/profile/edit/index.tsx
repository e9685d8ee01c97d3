import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

export default function ProfileEditPage() {
  const { me, loading, error } = useMe();
  const [nickname, setNickname] = useState('');
  const [birthday, setBirthday] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string>();

  useEffect(() => {
    if (!me) return;
    setNickname(me.customer.nickname ?? '');
    setBirthday(typeof me.customer.birthday === 'string' ? me.customer.birthday : '');
  }, [me]);

  const save = async () => {
    setBusy(true);
    setSaveError(undefined);
    try {
      await api.updateProfile({ nickname, ...(birthday ? { birthday } : {}) });
      void Taro.showToast({ title: '已保存', icon: 'success' });
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page profile-page'>
      <Text className='title'>个人资料</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && (
        <View className='section'>
          <View className='field field-nickname'>
            <Text className='field-label'>昵称 Nickname</Text>
            <Input className='field-input' value={nickname} maxlength={32} onInput={(e) => setNickname(e.detail.value)} />
          </View>
          <View className='field field-birthday'>
            <Text className='field-label'>生日 Birthday (YYYY-MM-DD)</Text>
            <Input className='field-input' value={birthday} placeholder='1990-01-31' maxlength={10} onInput={(e) => setBirthday(e.detail.value.trim())} />
          </View>
          {me.customer.phoneMasked && (
            <View className='row'>
              <Text className='muted'>手机号 Phone</Text>
              <Text>{me.customer.phoneMasked}</Text>
            </View>
          )}
          <Button className='btn btn-primary profile-save' disabled={busy} onClick={save}>
            保存 Save
          </Button>
          {saveError && <Text className='error-text profile-error'>{saveError}</Text>}
        </View>
      )}
    </View>
  );
}
