import { Button, Checkbox, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';

export default function JoinPage() {
  usePageTitle('join.title');
  const [consent, setConsent] = useState(false);
  const [phoneCode, setPhoneCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const join = async (code: string | undefined) => {
    if (!consent) {
      setError(t('join.needConsent'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.join(code);
      void Taro.showToast({ title: t('join.done'), icon: 'success' });
      await Taro.reLaunch({ url: '/pages/member/home/index' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page join-page'>
      <Text className='title'>{t('join.title')}</Text>
      <Text className='subtitle'>{t('join.subtitle')}</Text>

      <View className='section'>
        <View className='consent' onClick={() => setConsent(!consent)}>
          <Checkbox className='consent-checkbox' value='agree' checked={consent} color='#0f766e' />
          <Text>{t('join.consent')}</Text>
        </View>

        {process.env.TARO_ENV === 'weapp' ? (
          <Button
            className='btn btn-primary join-phone'
            openType='getPhoneNumber'
            disabled={busy || !consent}
            onGetPhoneNumber={(e) => {
              const code = (e.detail as { code?: string }).code;
              if (code) void join(code);
              else setError(t('join.needPhone'));
            }}
          >
            {t('join.phoneButton')}
          </Button>
        ) : (
          <>
            <View className='field field-phone-code'>
              <Text className='field-label'>{t('join.demoPhone')}</Text>
              <Input
                className='field-input'
                value={phoneCode}
                placeholder={t('join.demoPhonePlaceholder')}
                onInput={(e) => setPhoneCode(e.detail.value.trim())}
              />
            </View>
            <Button className='btn btn-primary join-submit' disabled={busy || !consent} onClick={() => join(phoneCode || undefined)}>
              {t('join.submit')}
            </Button>
          </>
        )}
        {error && <Text className='error-text join-error'>{error}</Text>}
      </View>
    </View>
  );
}
