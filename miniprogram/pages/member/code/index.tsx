import { Text, View } from '@tarojs/components';
import { useDidHide, useDidShow } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { QrCode } from '../../../components/QrCode';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { groupDigits } from '../../../services/format';
import { api, type MemberCode } from '../../../services/loopline';

/** Fetch a fresh code this long before the current one expires, so the shown code always scans. */
const REFRESH_AHEAD_MS = 10_000;

export default function MemberCodePage() {
  const [code, setCode] = useState<MemberCode>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>();
  const tick = useRef<ReturnType<typeof setInterval>>();

  const stop = () => {
    clearTimeout(refreshTimer.current);
    clearInterval(tick.current);
  };

  const load = async () => {
    clearTimeout(refreshTimer.current);
    try {
      const fresh = await api.memberCode();
      setCode(fresh);
      setError(undefined);
      const wait = Math.max(5_000, Date.parse(fresh.expiresAt) - Date.now() - REFRESH_AHEAD_MS);
      refreshTimer.current = setTimeout(() => void load(), wait);
    } catch (err) {
      setError(errorMessage(err));
      refreshTimer.current = setTimeout(() => void load(), 15_000);
    }
  };

  useDidShow(() => {
    void load();
    tick.current = setInterval(() => setNow(Date.now()), 1000);
  });
  useDidHide(stop);
  useEffect(() => stop, []);

  const secondsLeft = code ? Math.max(0, Math.round((Date.parse(code.expiresAt) - now) / 1000)) : 0;

  return (
    <View className='page code-page'>
      <StatusView loading={!code && !error} error={error} />
      {code && (
        <View className='section qr-box'>
          <Text className='section-title'>出示会员码 Show at the till</Text>
          <QrCode className='qr-image member-qr' value={code.code} />
          <Text className='qr-digits member-code-digits'>{groupDigits(code.code)}</Text>
          <Text className='muted code-countdown'>{secondsLeft} 秒后自动刷新 · refreshes automatically</Text>
        </View>
      )}
    </View>
  );
}
