import { Button, Checkbox, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';

export default function JoinPage() {
  const [consent, setConsent] = useState(false);
  const [phoneCode, setPhoneCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const join = async (code: string | undefined) => {
    if (!consent) {
      setError('请先阅读并同意会员条款和隐私政策');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.join(code);
      void Taro.showToast({ title: '入会成功', icon: 'success' });
      await Taro.reLaunch({ url: '/pages/member/home/index' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page join-page'>
      <Text className='title'>加入会员</Text>
      <Text className='subtitle'>积分换礼、会员等级、专享优惠券</Text>

      <View className='section'>
        <View className='consent' onClick={() => setConsent(!consent)}>
          <Checkbox
            className='consent-checkbox'
            value='agree'
            checked={consent}
            color='#0f766e'
          />
          <Text>我已阅读并同意《会员条款》和《隐私政策》，同意品牌使用我的手机号识别会员身份。</Text>
        </View>

        {process.env.TARO_ENV === 'weapp' ? (
          <Button
            className='btn btn-primary join-phone'
            openType='getPhoneNumber'
            disabled={busy || !consent}
            onGetPhoneNumber={(e) => {
              const code = (e.detail as { code?: string }).code;
              if (code) void join(code);
              else setError('需要授权手机号才能入会');
            }}
          >
            授权手机号并入会
          </Button>
        ) : (
          <>
            <View className='field field-phone-code'>
              <Text className='field-label'>演示手机号授权码 Demo phone code</Text>
              <Input
                className='field-input'
                value={phoneCode}
                placeholder='例如 test-phone:13800138000'
                onInput={(e) => setPhoneCode(e.detail.value.trim())}
              />
            </View>
            <Button className='btn btn-primary join-submit' disabled={busy || !consent} onClick={() => join(phoneCode || undefined)}>
              入会 Join
            </Button>
          </>
        )}
        {error && <Text className='error-text join-error'>{error}</Text>}
      </View>
    </View>
  );
}
