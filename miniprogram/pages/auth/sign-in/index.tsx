import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';
import { saveSession } from '../../../services/session';

const HOME_PAGE = '/pages/member/home/index';

/** Demo people of the built-in WeChat simulator: the code `test:<openid>` signs in as that openid. */
export const DEMO_ACCOUNTS = [
  { key: 'customer', openid: 'demo-customer' },
  { key: 'clerk', openid: 'demo-clerk' },
  { key: 'manager', openid: 'demo-manager' },
  { key: 'admin', openid: 'demo-admin' },
] as const;

export default function SignInPage() {
  usePageTitle('app.name');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [openid, setOpenid] = useState('');

  const signIn = async (getCode: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      const code = await getCode();
      const session = await api.login(code);
      saveSession({ token: session.token, expiresAt: session.expiresAt });
      await Taro.reLaunch({ url: HOME_PAGE });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const wechatLogin = () =>
    signIn(async () => {
      const { code } = await Taro.login();
      return code;
    });

  return (
    <View className='page sign-in-page'>
      <Text className='title'>{t('app.name')}</Text>
      <Text className='subtitle'>{t('signIn.subtitle')}</Text>

      {process.env.TARO_ENV === 'weapp' ? (
        <Button className='btn btn-primary wechat-login' disabled={busy} onClick={wechatLogin}>
          {t('signIn.wechat')}
        </Button>
      ) : (
        <>
          <View className='section demo-accounts'>
            <Text className='section-title'>{t('signIn.demoTitle')}</Text>
            <Text className='muted'>{t('signIn.demoHint')}</Text>
            {DEMO_ACCOUNTS.map((account) => (
              <View key={account.key} className={`demo-account demo-${account.key}`}>
                <View>
                  <Text className='demo-name'>{t(`signIn.demo.${account.key}`)}</Text>
                  <View>
                    <Text className='demo-openid dyn'>{account.openid}</Text>
                  </View>
                </View>
                <Button
                  className={`btn btn-primary btn-inline demo-login demo-login-${account.key}`}
                  disabled={busy}
                  onClick={() => signIn(async () => `test:${account.openid}`)}
                >
                  {t('signIn.login')}
                </Button>
              </View>
            ))}
          </View>
          <View className='section'>
            <View className='field field-openid'>
              <Text className='field-label'>{t('signIn.otherOpenid')}</Text>
              <Input
                className='field-input'
                value={openid}
                placeholder={t('signIn.otherOpenidPlaceholder')}
                onInput={(e) => setOpenid(e.detail.value.trim())}
              />
            </View>
            <Button
              className='btn btn-secondary custom-login'
              disabled={busy || !openid}
              onClick={() => signIn(async () => `test:${openid}`)}
            >
              {t('signIn.withOpenid')}
            </Button>
          </View>
        </>
      )}
      {error && <Text className='error-text sign-in-error'>{error}</Text>}
    </View>
  );
}
