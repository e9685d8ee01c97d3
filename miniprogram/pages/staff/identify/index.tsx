import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { ScanSubmit } from '../../../components/ScanSubmit';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api, customerPage, type MemberSummary } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';

export default function IdentifyPage() {
  usePageTitle('identify.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const store = useStoreChoice(me);
  const [code, setCode] = useState('');
  const [summary, setSummary] = useState<MemberSummary>();
  const [busy, setBusy] = useState(false);
  const [identifyError, setIdentifyError] = useState<string>();

  const identify = async (value: string) => {
    const trimmed = value.replace(/\s+/g, '');
    if (!trimmed) return;
    setBusy(true);
    setIdentifyError(undefined);
    setSummary(undefined);
    try {
      setSummary(await api.identify(trimmed, store.storeId));
    } catch (err) {
      setIdentifyError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page identify-page'>
      <Text className='title'>{t('identify.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} rows={1} />
      {me && !error && (
        <View className='section'>
          {store.grants.length > 1 && (
            <View className='field'>
              <StorePicker grants={store.grants} choice={store.choice} onChoose={store.setChoice} />
            </View>
          )}
          <ScanSubmit
            name='member-code'
            label={t('identify.code')}
            placeholder={t('identify.codePlaceholder')}
            value={code}
            onInput={setCode}
            onScanned={async (result) => {
              setCode(result);
              await identify(result);
            }}
            onSubmit={() => void identify(code)}
            submitLabel={t('identify.submit')}
            busy={busy}
            canSubmit={Boolean(code.trim())}
            scanClass='identify-scan'
            submitClass='identify-submit'
          />
          {identifyError && <Text className='error-text identify-error'>{identifyError}</Text>}
        </View>
      )}
      {summary && (
        <View className='section member-summary'>
          {summary.name ? (
            <Text className='section-title dyn'>{summary.name}</Text>
          ) : (
            <Text className='section-title'>{t('identify.member')}</Text>
          )}
          <View className='row'>
            <Text className='muted'>{t('identify.tier')}</Text>
            <Text className='tag summary-tier'>{t(`tier.${summary.tier.id}`)}</Text>
          </View>
          <View className='row'>
            <Text className='muted'>{t('identify.points')}</Text>
            <Text className='summary-points'>{summary.points}</Text>
          </View>
          <View className='row'>
            <Text className='muted'>{t('identify.memberNo')}</Text>
            <Text className='summary-member-no mask'>{summary.memberNo}</Text>
          </View>
          {summary.phone && (
            <View className='row'>
              <Text className='muted'>{t('identify.phone')}</Text>
              <Text className='dyn'>{summary.phone}</Text>
            </View>
          )}
          <Text className='link identify-customer' onClick={() => go(customerPage(summary.customerId, store.storeId))}>
            {t('customer.open')}
          </Text>
        </View>
      )}
    </View>
  );
}
