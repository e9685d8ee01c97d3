import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { StatusView } from '../../../components/StatusView';
import { StorePicker, useStoreChoice } from '../../../components/StorePicker';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage, showError } from '../../../services/api';
import { complaints, type ComplaintLevelName, type ScoredMessage } from '../../../services/complaints';
import { formatTime } from '../../../services/format';
import { toast, usePullRefresh, useMe } from '../../../services/useMe';
import './index.scss';

const FILTERS: Array<ComplaintLevelName | undefined> = [undefined, 'strong', 'mild', 'none'];

/**
 * How the official account's messages were scored, for the staff to confirm or correct: it was a
 * complaint, or it was not. The labels teach the next model.
 */
export default function ComplaintScoresPage() {
  usePageTitle('complaints.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const { grants, choice, setChoice, storeId } = useStoreChoice(me);
  const [level, setLevel] = useState<ComplaintLevelName>();
  const [items, setItems] = useState<ScoredMessage[]>();
  const [loadError, setLoadError] = useState<string>();
  const [saving, setSaving] = useState<string>();

  const load = async () => {
    try {
      setItems((await complaints.list({ storeId, level })).items);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (me && !error) void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, storeId, level]);
  usePullRefresh(load);

  const mark = async (item: ScoredMessage, complaint: boolean) => {
    setSaving(item.id);
    try {
      const updated = await complaints.label(item.id, complaint);
      setItems((list) => list?.map((i) => (i.id === updated.id ? updated : i)));
      toast(t('complaints.saved'));
    } catch (err) {
      showError(err);
    } finally {
      setSaving(undefined);
    }
  };

  return (
    <View className='page complaints-page'>
      <Text className='title'>{t('complaints.title')}</Text>
      <Text className='subtitle'>{t('complaints.subtitle')}</Text>
      <StatusView
        loading={(loading && !me) || (!!me && !items && !loadError && !error)}
        error={error ?? loadError}
        onRetry={() => void (me ? load() : reload())}
      />
      {me && !error && (
        <View className='section'>
          <StorePicker grants={grants} choice={choice} onChoose={setChoice} />
          <View>
            {FILTERS.map((f) => (
              <Text key={f ?? 'all'} className={`tag level-filter ${f === level ? 'tag-on' : ''}`} onClick={() => setLevel(f)}>
                {f ? t(`complaints.level.${f}`) : t('complaints.all')}
              </Text>
            ))}
          </View>
        </View>
      )}
      {items && !error && items.length === 0 && (
        <EmptyState className='empty-complaints' title={t('complaints.empty')} hint={t('complaints.emptyHint')} />
      )}
      {items && !error && items.length > 0 && (
        <View className='section complaint-list'>
          {items.map((item) => (
            <View key={item.id} className={`card complaint-item level-${item.level}`}>
              <Text className='complaint-text dyn'>{item.text}</Text>
              <Text className='meta mask'>
                {t('complaints.meta', {
                  level: t(`complaints.level.${item.level}`),
                  percent: Math.round(item.probability * 100),
                  time: formatTime(item.at),
                  model: item.modelVersion,
                })}
              </Text>
              {item.cues.length > 0 && <Text className='meta cues dyn'>{t('complaints.cues', { cues: item.cues.join(' · ') })}</Text>}
              {item.label && (
                <Text className='meta label-state'>
                  {t('complaints.labelled', { label: item.label.complaint ? t('complaints.yes') : t('complaints.no') })}
                </Text>
              )}
              <View className='actions'>
                <Button
                  className={`btn ${item.label?.complaint === true ? 'btn-primary' : 'btn-secondary'} mark-complaint`}
                  disabled={saving === item.id}
                  onClick={() => mark(item, true)}
                >
                  {t('complaints.yes')}
                </Button>
                <Button
                  className={`btn ${item.label?.complaint === false ? 'btn-primary' : 'btn-secondary'} mark-not-complaint`}
                  disabled={saving === item.id}
                  onClick={() => mark(item, false)}
                >
                  {t('complaints.no')}
                </Button>
              </View>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
