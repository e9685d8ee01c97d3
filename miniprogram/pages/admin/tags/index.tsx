import { Button, Text, View } from '@tarojs/components';
import { useState } from 'react';
import type { AutoTagRule } from '@shared/api/crm';
import { ChoiceField, FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { crmApi } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { toast, useMe } from '../../../services/useMe';

type RuleKind = 'manual' | AutoTagRule['kind'];
const RULES: RuleKind[] = [
  'manual',
  'following',
  'follow_channel',
  'tier',
  'points_at_least',
  'coupon',
  'ticket_open',
  'low_rating',
  'keyword',
  'inactive',
  'birthday_month',
];
/** Rules that take one value, typed by the admin (a number where the rule counts). */
const PARAM: Partial<Record<RuleKind, 'text' | 'number'>> = {
  follow_channel: 'text',
  tier: 'text',
  points_at_least: 'number',
  keyword: 'text',
  inactive: 'number',
};

function ruleOf(kind: RuleKind, value: string): AutoTagRule | undefined {
  const v = value.trim();
  switch (kind) {
    case 'manual':
      return undefined;
    case 'follow_channel':
      return { kind, channel: v };
    case 'tier':
      return { kind, tier: v };
    case 'points_at_least':
      return { kind, points: Number(v) };
    case 'keyword':
      return { kind, keyword: v };
    case 'inactive':
      return { kind, days: Number(v) };
    case 'coupon':
      return { kind, event: v === 'redeemed' ? 'redeemed' : 'claimed' };
    case 'low_rating':
      return { kind, maxStars: 2 };
    default:
      return { kind };
  }
}

/** The brand's tags: set by hand or kept by a rule, with how many carry each and their sync to the official account. */
export default function TagsPage() {
  usePageTitle('tags.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [loadError, setLoadError] = useState<string>();
  const [tags, refresh] = useLoadedList(Boolean(me), crmApi.tags, setLoadError);
  const [kind, setKind] = useState<RuleKind>('manual');
  const [sync, setSync] = useState<'yes' | 'no'>('no');
  const form = useCreateForm({ name: '', value: '' });
  const param = PARAM[kind];

  const create = async () => {
    const rule = ruleOf(kind, form.values.value);
    const ok = await form.submit(
      () => crmApi.createTag({ name: form.values.name.trim(), ...(rule ? { rule } : {}), syncToOfficialAccount: sync === 'yes' }),
      ['name', 'value'],
    );
    if (!ok) return;
    toast(t('admin.created'));
    await refresh();
  };

  return (
    <View className='page tags-page'>
      <Text className='title'>{t('tags.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {loadError && <Text className='error-text tags-error'>{loadError}</Text>}
      {me && !error && (
        <>
          <View className='section tag-list'>
            {tags?.length === 0 && <Text className='muted'>{t('common.noData')}</Text>}
            {tags?.map((tag) => (
              <View key={tag.id} className='row tag-item'>
                <View className='grow'>
                  <Text className='tag-name dyn'>{tag.name}</Text>
                  <Text className='muted'>
                    {tag.rule ? t('tags.auto', { rule: t(`tags.rule.${tag.rule.kind}`) }) : t('tags.manual')} ·{' '}
                    {t('tags.count', { count: tag.count })}
                  </Text>
                  {tag.syncToOfficialAccount && (
                    <Text className={`muted tag-sync ${tag.syncError ? 'error-text' : ''}`}>
                      {tag.syncError
                        ? t('tags.syncError', { error: tag.syncError })
                        : tag.oaTagId !== null
                          ? t('tags.synced', { id: tag.oaTagId })
                          : t('tags.syncPending')}
                    </Text>
                  )}
                </View>
              </View>
            ))}
          </View>

          <View className='section tag-form'>
            <Text className='section-title'>{t('tags.create')}</Text>
            <FormField name='tag-name' label={t('tags.name')} value={form.values.name} onInput={form.set('name')} />
            <ChoiceField
              label={t('tags.kind')}
              kind='rule'
              options={RULES}
              chosen={kind}
              onChoose={setKind}
              word={(k) => (k === 'manual' ? t('tags.manual') : t(`tags.rule.${k}`))}
            />
            {(param || kind === 'coupon') && (
              <FormField
                name='tag-value'
                label={t(kind === 'coupon' ? 'tags.couponEvent' : 'tags.value')}
                type={param === 'number' ? 'number' : 'text'}
                value={form.values.value}
                onInput={form.set('value')}
              />
            )}
            <ChoiceField
              label={t('tags.sync')}
              kind='sync'
              options={['yes', 'no'] as const}
              chosen={sync}
              onChoose={setSync}
              word={(v) => t(`segments.${v}`)}
            />
            <Button
              className='btn btn-primary tag-create'
              disabled={form.busy || !form.values.name.trim() || (Boolean(param) && !form.values.value.trim())}
              onClick={create}
            >
              {t('tags.create')}
            </Button>
            {form.error && <Text className='error-text tag-create-error'>{form.error}</Text>}
          </View>
        </>
      )}
    </View>
  );
}
