import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';
import { saveSession } from '../../../services/session';

const HOME_PAGE = '/pages/member/home/index';

/** Demo people of the built-in WeChat simulator: the code `test:<openid>` signs in as that openid. */
export const DEMO_ACCOUNTS = [
  { key: 'customer', name: '顾客 Customer', openid: 'demo-customer' },
  { key: 'clerk', name: '店员 Clerk', openid: 'demo-clerk' },
  { key: 'manager', name: '店长 Manager', openid: 'demo-manager' },
  { key: 'admin', name: '管理员 Admin', openid: 'demo-admin' },
] as const;

export default function SignInPage() {
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
      <Text className='title'>Loopline 会员</Text>
      <Text className='subtitle'>登录后查看会员卡、积分和会员码</Text>

      {process.env.TARO_ENV === 'weapp' ? (
        <Button className='btn btn-primary wechat-login' disabled={busy} onClick={wechatLogin}>
          微信一键登录
        </Button>
      ) : (
        <>
          <View className='section demo-accounts'>
            <Text className='section-title'>演示账号 Demo accounts</Text>
            <Text className='muted'>选择一个身份登录（模拟微信登录）</Text>
            {DEMO_ACCOUNTS.map((account) => (
              <View key={account.key} className={`demo-account demo-${account.key}`}>
                <View>
                  <Text className='demo-name'>{account.name}</Text>
                  <View>
                    <Text className='demo-openid'>{account.openid}</Text>
                  </View>
                </View>
                <Button
                  className={`btn btn-primary demo-login demo-login-${account.key}`}
                  style={{ width: 'auto', padding: '0 20px', margin: 0 }}
                  disabled={busy}
                  onClick={() => signIn(async () => `test:${account.openid}`)}
                >
                  登录
                </Button>
              </View>
            ))}
          </View>
          <View className='section'>
            <View className='field field-openid'>
              <Text className='field-label'>其他 openid Other openid</Text>
              <Input
                className='field-input'
                value={openid}
                placeholder='例如 alice'
                onInput={(e) => setOpenid(e.detail.value.trim())}
              />
            </View>
            <Button
              className='btn btn-secondary custom-login'
              disabled={busy || !openid}
              onClick={() => signIn(async () => `test:${openid}`)}
            >
              以此 openid 登录
            </Button>
          </View>
        </>
      )}
      {error && <Text className='error-text sign-in-error'>{error}</Text>}
    </View>
  );
}
