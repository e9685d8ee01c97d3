import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { StorePicker } from '../../../components/StorePicker';
import { errorMessage, showError } from '../../../services/api';
import { complaints, type ComplaintLevelName, type ScoredMessage } from '../../../services/complaints';
import { useMe } from '../../../services/useMe';
import './index.scss';

const LEVEL_LABELS: Record<ComplaintLevelName, string> = { strong: '强烈投诉 Strong', mild: '不满 Mild', none: '无 None' };
const FILTERS: Array<ComplaintLevelName | undefined> = [undefined, 'strong', 'mild', 'none'];
const time = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

/**
 * How the official account's messages were scored, for the staff to confirm or correct: "是投诉"
 * (it was a complaint) or "不是投诉" (it was not). The labels teach the next model.
 */
export default function ComplaintScoresPage() {
  const { me, loading, error } = useMe(['clerk', 'manager', 'admin']);
  const [storeChoice, setStoreChoice] = useState(0);
  const [level, setLevel] = useState<ComplaintLevelName>();
  const [items, setItems] = useState<ScoredMessage[]>();
  const [loadError, setLoadError] = useState<string>();
  const [saving, setSaving] = useState<string>();
  const storeGrants = (me?.roles ?? []).filter((grant) => grant.storeId);

  useEffect(() => {
    if (!me || error) return;
    complaints
      .list({ storeId: storeGrants[storeChoice]?.storeId ?? undefined, level })
      .then((res) => {
        setItems(res.items);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error, storeChoice, level]);

  const mark = async (item: ScoredMessage, complaint: boolean) => {
    setSaving(item.id);
    try {
      const updated = await complaints.label(item.id, complaint);
      setItems((list) => list?.map((i) => (i.id === updated.id ? updated : i)));
    } catch (err) {
      showError(err);
    } finally {
      setSaving(undefined);
    }
  };

  return (
    <View className='page complaints-page'>
      <Text className='title'>消息判定 Complaint check</Text>
      <Text className='subtitle'>公众号消息的投诉判定；标记对错，下次训练时模型会学到。</Text>
      <StatusView loading={(loading && !me) || (!items && !loadError && !error)} error={error ?? loadError} />
      {me && !error && (
        <View className='section'>
          <StorePicker grants={storeGrants} choice={storeChoice} onChoose={setStoreChoice} />
          <View>
            {FILTERS.map((f) => (
              <Text key={f ?? 'all'} className={`tag level-filter ${f === level ? 'tag-on' : ''}`} onClick={() => setLevel(f)}>
                {f ? LEVEL_LABELS[f] : '全部 All'}
              </Text>
            ))}
          </View>
        </View>
      )}
      {items && !error && (
        <View className='section complaint-list'>
          {items.length === 0 && <Text className='empty'>没有消息 Nothing scored yet</Text>}
          {items.map((item) => (
            <View key={item.id} className={`card complaint-item level-${item.level}`}>
              <Text className='complaint-text'>{item.text}</Text>
              <Text className='meta'>
                {LEVEL_LABELS[item.level]} · {Math.round(item.probability * 100)}% · {time.format(new Date(item.at))} · 模型 {item.modelVersion}
              </Text>
              {item.cues.length > 0 && <Text className='meta cues'>线索 {item.cues.join('、')}</Text>}
              {item.label && (
                <Text className='meta label-state'>已标记：{item.label.complaint ? '是投诉 Was a complaint' : '不是投诉 Was not'}</Text>
              )}
              <View className='actions'>
                <Button
                  className={`btn ${item.label?.complaint === true ? 'btn-primary' : 'btn-secondary'} mark-complaint`}
                  disabled={saving === item.id}
                  onClick={() => mark(item, true)}
                >
                  是投诉 Was a complaint
                </Button>
                <Button
                  className={`btn ${item.label?.complaint === false ? 'btn-primary' : 'btn-secondary'} mark-not-complaint`}
                  disabled={saving === item.id}
                  onClick={() => mark(item, false)}
                >
                  不是投诉 Was not
                </Button>
              </View>
            </View>
          ))}
        </View>
      )}
    </View>
  );
}
