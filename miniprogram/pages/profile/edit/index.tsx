import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';

export default function ProfileEditPage() {
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [birthday, setBirthday] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string>();

  useDidShow(() => {
    api.profile().then(
      (profile) => {
        setName(profile.name ?? '');
        setBirthday(profile.birthday ?? '');
        setLoaded(true);
      },
      (err) => setLoadError(errorMessage(err)),
    );
  });

  const save = async () => {
    setBusy(true);
    setSaveError(undefined);
    try {
      await api.updateProfile({ name: name.trim() || null, birthday: birthday || null });
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
      <StatusView loading={!loaded} error={loadError} />
      {loaded && (
        <View className='section'>
          <View className='field field-name'>
            <Text className='field-label'>称呼 Name</Text>
            <Input className='field-input' value={name} maxlength={40} onInput={(e) => setName(e.detail.value)} />
          </View>
          <View className='field field-birthday'>
            <Text className='field-label'>生日 Birthday (YYYY-MM-DD)</Text>
            <Input
              className='field-input'
              value={birthday}
              placeholder='1990-01-31'
              maxlength={10}
              onInput={(e) => setBirthday(e.detail.value.trim())}
            />
          </View>
          <Button className='btn btn-primary profile-save' disabled={busy} onClick={save}>
            保存 Save
          </Button>
          {saveError && <Text className='error-text profile-error'>{saveError}</Text>}
        </View>
      )}
    </View>
  );
}
