import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import type { OutreachPreview, OutreachView } from '@shared/api/outreach';
import { ChoiceField, FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { showError } from '../../../services/api';
import { outreachApi } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

type AudienceKind = 'customers' | 'segment';
const KINDS: AudienceKind[] = ['customers', 'segment'];
const ID = /[0-9a-f]{24}/g;

/** Compose a message, preview who gets it how (and who is skipped why), send, and watch it go out. */
export default function OutreachPage() {
  usePageTitle('outreach.title');
  const { me, loading, error, reload } = useMe(['admin']);
  // Opened from a saved segment (admin/segments), the audience is that segment.
  const fromSegment = useRouter().params.segmentId ?? '';
  const form = useCreateForm({ name: '', text: '', ids: '', segmentId: fromSegment });
  const [kind, setKind] = useState<AudienceKind>(fromSegment ? 'segment' : 'customers');
  const [outreach, setOutreach] = useState<OutreachView>();
  const [preview, setPreview] = useState<OutreachPreview>();
  const v = form.values;

  // While sending, progress is read every second until the job says done.
  useEffect(() => {
    if (outreach?.status !== 'sending') return undefined;
    const timer = setInterval(() => {
      outreachApi.get(outreach.id).then(setOutreach, () => undefined);
    }, 1000);
    return () => clearInterval(timer);
  }, [outreach?.id, outreach?.status]);

  const audience = () =>
    kind === 'segment' ? { kind, segmentId: v.segmentId.trim() } : { kind, customerIds: [...new Set(v.ids.toLowerCase().match(ID) ?? [])] };

  const compose = async () => {
    let created: OutreachView | undefined;
    const ok = await form.submit(async () => {
      created = await outreachApi.create({ name: v.name.trim(), text: v.text.trim(), audience: audience() });
    });
    if (!ok || !created) return;
    setOutreach(created);
    try {
      setPreview(await outreachApi.preview(created.id));
    } catch (err) {
      showError(err);
    }
  };

  const send = async () => {
    if (!outreach) return;
    try {
      setOutreach(await outreachApi.send(outreach.id));
    } catch (err) {
      showError(err);
    }
  };

  const p = outreach?.progress;
  const finished = p ? p.sent + p.failed + p.skipped : 0;
  const percent = p && p.total ? Math.round((finished / p.total) * 100) : 0;

  return (
    <View className='page outreach-page'>
      <Text className='title'>{t('outreach.title')}</Text>
      <Text className='subtitle'>{t('outreach.subtitle')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {me && !error && (
        <>
          <View className='section outreach-form'>
            <FormField name='outreach-name' label={t('outreach.name')} value={v.name} onInput={form.set('name')} />
            <FormField
              name='outreach-text'
              label={t('outreach.text')}
              multiline
              maxlength={600}
              value={v.text}
              onInput={form.set('text')}
            />
            <ChoiceField
              label={t('outreach.audience')}
              kind='audience'
              options={KINDS}
              chosen={kind}
              onChoose={setKind}
              word={(k) => t(`outreach.audience.${k}`)}
            />
            {kind === 'customers' ? (
              <FormField
                name='outreach-ids'
                label={t('outreach.ids')}
                multiline
                maxlength={100_000}
                value={v.ids}
                onInput={form.set('ids')}
              />
            ) : (
              <FormField name='outreach-segment' label={t('outreach.segment')} value={v.segmentId} onInput={form.set('segmentId')} />
            )}
            <Button className='btn btn-primary outreach-preview' disabled={form.busy || !v.name.trim() || !v.text.trim()} onClick={compose}>
              {t('outreach.preview')}
            </Button>
            {form.error && <Text className='error-text outreach-error'>{form.error}</Text>}
          </View>

          {preview && (
            <View className='section outreach-preview-result'>
              <Text className='section-title'>{t('outreach.previewTitle', { count: preview.audience })}</Text>
              <Text className='preview-cs'>{t('outreach.byCs', { count: preview.byChannel.customer_service })}</Text>
              <Text className='preview-subscribe'>{t('outreach.bySubscribe', { count: preview.byChannel.subscribe })}</Text>
              {Object.entries(preview.skippedBy).map(([reason, count]) => (
                <Text key={reason} className={`muted preview-skip preview-skip-${reason}`}>
                  {t('outreach.skipped', { reason: t(`outreach.reason.${reason}` as 'outreach.reason.opted_out'), count })}
                </Text>
              ))}
              {outreach?.status === 'draft' && (
                <Button className='btn btn-primary outreach-send' onClick={send}>
                  {t('outreach.send')}
                </Button>
              )}
            </View>
          )}

          {outreach && p && outreach.status !== 'draft' && (
            <View className='section outreach-progress'>
              <Text className={`section-title outreach-status outreach-status-${outreach.status}`}>
                {t(outreach.status === 'done' ? 'outreach.done' : 'outreach.sending')}
              </Text>
              <View className='progress-track'>
                <View className='progress-bar' style={{ width: `${percent}%` }} />
              </View>
              <Text className='muted outreach-counts'>
                {t('outreach.counts', { sent: p.sent, failed: p.failed, skipped: p.skipped, pending: p.pending })}
              </Text>
            </View>
          )}
        </>
      )}
    </View>
  );
}
