import { Button, Text, View } from '@tarojs/components';
import { useDidShow } from '@tarojs/taro';
import { useState } from 'react';
import { FormField } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';
import { toast } from '../../../services/useMe';

export default function ProfileEditPage() {
  usePageTitle('profile.title');
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [birthday, setBirthday] = useState('');
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<string>();

  const load = () =>
    api.profile().then(
      (profile) => {
        setName(profile.name ?? '');
        setBirthday(profile.birthday ?? '');
        setLoaded(true);
        setLoadError(undefined);
      },
      (err) => setLoadError(errorMessage(err)),
    );
  useDidShow(() => void load());

  const save = async () => {
    if (birthday && !/^\d{4}-\d{2}-\d{2}$/.test(birthday)) return setSaveError(t('profile.badBirthday'));
    setBusy(true);
    setSaveError(undefined);
    try {
      await api.updateProfile({ name: name.trim() || null, birthday: birthday || null });
      toast(t('common.saved'));
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page profile-page'>
      <Text className='title'>{t('profile.title')}</Text>
      <StatusView loading={!loaded && !loadError} error={loadError} onRetry={load} rows={1} />
      {loaded && (
        <View className='section'>
          <FormField name='name' label={t('profile.name')} value={name} maxlength={40} onInput={setName} />
          <FormField
            name='birthday'
            label={t('profile.birthday')}
            value={birthday}
            placeholder={t('profile.birthdayPlaceholder')}
            maxlength={10}
            onInput={(value) => setBirthday(value.trim())}
          />
          <Button className='btn btn-primary profile-save' disabled={busy} onClick={save}>
            {t('common.save')}
          </Button>
          {saveError && <Text className='error-text profile-error'>{saveError}</Text>}
        </View>
      )}
    </View>
  );
}
