import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { StorePicker } from '../../../components/StorePicker';
import { errorMessage } from '../../../services/api';
import { api, type MemberSummary } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

export default function IdentifyPage() {
  const { me, loading, error } = useMe(['clerk', 'manager', 'admin']);
  const [code, setCode] = useState('');
  const [summary, setSummary] = useState<MemberSummary>();
  const [busy, setBusy] = useState(false);
  const [identifyError, setIdentifyError] = useState<string>();
  const [storeChoice, setStoreChoice] = useState(0);
  // Staff act for one store at a time; admins need none.
  const storeGrants = (me?.roles ?? []).filter((grant) => grant.storeId);
  const storeId = storeGrants[storeChoice]?.storeId ?? undefined;

  const identify = async (value: string) => {
    const trimmed = value.replace(/\s+/g, '');
    if (!trimmed) return;
    setBusy(true);
    setIdentifyError(undefined);
    setSummary(undefined);
    try {
      setSummary(await api.identify(trimmed, storeId));
    } catch (err) {
      setIdentifyError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const scan = async () => {
    try {
      const result = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
      setCode(result.result);
      await identify(result.result);
    } catch {
      // the clerk closed the scanner
    }
  };

  return (
    <View className='page identify-page'>
      <Text className='title'>识别会员</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <View className='section'>
          {storeGrants.length > 1 && (
            <View className='field'>
              <StorePicker grants={storeGrants} choice={storeChoice} onChoose={setStoreChoice} />
            </View>
          )}
          {process.env.TARO_ENV === 'weapp' && (
            <Button className='btn btn-primary identify-scan' disabled={busy} onClick={scan}>
              扫描会员码 Scan
            </Button>
          )}
          <View className='field field-member-code' style={{ marginTop: '12px' }}>
            <Text className='field-label'>会员码 Member code</Text>
            <Input className='field-input' value={code} placeholder='输入顾客出示的会员码' onInput={(e) => setCode(e.detail.value)} />
          </View>
          <Button className='btn btn-secondary identify-submit' disabled={busy || !code.trim()} onClick={() => identify(code)}>
            识别 Identify
          </Button>
          {identifyError && <Text className='error-text identify-error'>{identifyError}</Text>}
        </View>
      )}
      {summary && (
        <View className='section member-summary'>
          <Text className='section-title'>{summary.name || '会员 Member'}</Text>
          <View className='row'>
            <Text className='muted'>等级 Tier</Text>
            <Text className='tag summary-tier'>{summary.tier.name}</Text>
          </View>
          <View className='row'>
            <Text className='muted'>积分 Points</Text>
            <Text className='summary-points'>{summary.points}</Text>
          </View>
          <View className='row'>
            <Text className='muted'>会员号 Member No.</Text>
            <Text className='summary-member-no'>{summary.memberNo}</Text>
          </View>
          {summary.phone && (
            <View className='row'>
              <Text className='muted'>手机 Phone</Text>
              <Text>{summary.phone}</Text>
            </View>
          )}
        </View>
      )}
    </View>
  );
}
