import { Text, View } from '@tarojs/components';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { Barcode } from '../../../components/Barcode';
import { QrCode } from '../../../components/QrCode';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { groupDigits } from '../../../services/format';
import { api, type MemberCode } from '../../../services/loopline';

/** Fetch a fresh code this long before the current one expires, so the shown code always scans. */
const REFRESH_AHEAD_MS = 10_000;

/** In weapp the screen goes to full brightness while the code shows, and back after. */
function useBrightScreen() {
  const before = useRef<number>();
  const raise = async () => {
    if (process.env.TARO_ENV !== 'weapp') return;
    try {
      before.current ??= (await Taro.getScreenBrightness()).value;
      await Taro.setScreenBrightness({ value: 1 });
      await Taro.setKeepScreenOn({ keepScreenOn: true });
    } catch {
      // brightness is a comfort, not a must
    }
  };
  const restore = () => {
    if (process.env.TARO_ENV !== 'weapp' || before.current === undefined) return;
    const value = before.current;
    before.current = undefined;
    void Taro.setScreenBrightness({ value }).catch(() => undefined);
    void Taro.setKeepScreenOn({ keepScreenOn: false }).catch(() => undefined);
  };
  return { raise, restore };
}

export default function MemberCodePage() {
  usePageTitle('code.title');
  const [code, setCode] = useState<MemberCode>();
  const [error, setError] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>();
  const tick = useRef<ReturnType<typeof setInterval>>();
  const screen = useBrightScreen();

  const stop = () => {
    clearTimeout(refreshTimer.current);
    clearInterval(tick.current);
    screen.restore();
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
    void screen.raise();
    clearInterval(tick.current);
    tick.current = setInterval(() => setNow(Date.now()), 1000);
  });
  useDidHide(stop);
  useEffect(() => stop, []);

  const secondsLeft = code ? Math.max(0, Math.round((Date.parse(code.expiresAt) - now) / 1000)) : 0;

  return (
    <View className='page code-page'>
      <StatusView loading={!code && !error} error={error} onRetry={load} rows={2} />
      {code && (
        <View className='section qr-box'>
          <Text className='section-title'>{t('code.show')}</Text>
          <Barcode className='barcode member-barcode mask' value={code.code} />
          <Text className='qr-digits member-code-digits mask'>{groupDigits(code.code)}</Text>
          <QrCode className='qr-image member-qr mask' value={code.code} />
          <Text className='muted code-countdown mask'>{t('code.refresh', { seconds: secondsLeft })}</Text>
          {process.env.TARO_ENV === 'weapp' && <Text className='muted code-bright'>{t('code.brightness')}</Text>}
        </View>
      )}
    </View>
  );
}
