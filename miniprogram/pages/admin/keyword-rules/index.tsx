import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { ChoiceField, FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { showError } from '../../../services/api';
import { keywordRuleApi, type KeywordRule } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { toast, usePullRefresh, useMe } from '../../../services/useMe';
import type { KeywordMatchKind, PassiveReply } from '@shared/officialAccount';

const MATCHES: KeywordMatchKind[] = ['exact', 'contains', 'regex'];

/** What a rule answers; text the admin wrote is data (marked by the caller). */
function replySummary(reply: PassiveReply): { text: string; isData: boolean } {
  switch (reply.type) {
    case 'text':
      return { text: reply.content, isData: true };
    case 'news': {
      const title = reply.articles[0]?.title ?? '';
      const text =
        reply.articles.length > 1 ? t('rules.reply.newsMore', { title, count: reply.articles.length }) : t('rules.reply.news', { title });
      return { text, isData: true };
    }
    case 'transfer_customer_service':
      return { text: t('rules.reply.transfer'), isData: false };
    default:
      return { text: t('rules.reply.other', { type: reply.type }), isData: false };
  }
}

export default function KeywordRulesPage() {
  usePageTitle('rules.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [match, setMatch] = useState<KeywordMatchKind>('contains');
  const form = useCreateForm({ name: '', pattern: '', content: '', priority: '0' });
  const [rules, refresh, setRules] = useLoadedList(Boolean(me && !error), () => keywordRuleApi.list(), form.setError);
  usePullRefresh(refresh);
  const v = form.values;

  const create = async () => {
    const sent = await form.submit(
      () =>
        keywordRuleApi.create({
          name: v.name.trim(),
          match,
          pattern: v.pattern.trim(),
          priority: Number(v.priority || '0'),
          reply: { type: 'text', content: v.content.trim() },
        }),
      ['name', 'pattern', 'content'],
    );
    if (sent) {
      toast(t('admin.created'));
      await refresh();
    }
  };

  const toggle = async (rule: KeywordRule) => {
    try {
      const updated = await keywordRuleApi.update(rule.id, { enabled: !rule.enabled });
      setRules((all) => all?.map((r) => (r.id === updated.id ? updated : r)));
      toast(updated.enabled ? t('rules.on') : t('rules.off'));
    } catch (err) {
      showError(err);
    }
  };

  const remove = async (rule: KeywordRule) => {
    const { confirm } = await Taro.showModal({
      title: t('rules.deleteTitle'),
      content: t('rules.deleteText', { name: rule.name }),
      confirmText: t('rules.delete'),
      cancelText: t('common.cancel'),
    });
    if (!confirm) return;
    try {
      await keywordRuleApi.remove(rule.id);
      setRules((all) => all?.filter((r) => r.id !== rule.id));
      toast(t('rules.deleted'));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <View className='page keyword-rules-page'>
      <Text className='title'>{t('rules.title')}</Text>
      <Text className='subtitle'>{t('rules.subtitle')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {me && !error && (
        <>
          <View className='section keyword-form'>
            <Text className='section-title'>{t('rules.new')}</Text>
            <FormField
              name='rule-name'
              label={t('rules.name')}
              placeholder={t('rules.namePlaceholder')}
              value={v.name}
              onInput={form.set('name')}
            />
            <ChoiceField
              label={t('rules.match')}
              kind='match'
              options={MATCHES}
              chosen={match}
              onChoose={setMatch}
              word={(key) => t(`rules.match.${key}`)}
            />
            <View className='field-grid'>
              <FormField
                name='rule-pattern'
                className='field-wide'
                label={t('rules.pattern')}
                placeholder={t('rules.patternPlaceholder')}
                value={v.pattern}
                onInput={form.set('pattern')}
              />
              <FormField name='rule-priority' label={t('rules.priority')} type='number' value={v.priority} onInput={form.set('priority')} />
            </View>
            <FormField
              name='rule-reply'
              label={t('rules.reply')}
              multiline
              maxlength={2048}
              placeholder={t('rules.replyPlaceholder')}
              value={v.content}
              onInput={form.set('content')}
            />
            <Button
              className='btn btn-primary rule-create'
              disabled={form.busy || !v.name.trim() || !v.pattern.trim() || !v.content.trim()}
              onClick={create}
            >
              {t('rules.add')}
            </Button>
            {form.error && <Text className='error-text rule-error'>{form.error}</Text>}
          </View>

          <View className='section rule-list'>
            <Text className='section-title'>{t('rules.all')}</Text>
            {rules?.length === 0 && <Text className='muted empty-rules'>{t('rules.empty')}</Text>}
            {rules?.map((rule) => {
              const reply = replySummary(rule.reply);
              return (
                <View key={rule.id} className={`campaign-row rule-row ${rule.enabled ? '' : 'rule-off'}`}>
                  <View className='row'>
                    <View>
                      <Text className='campaign-name rule-name dyn'>{rule.name}</Text>
                      <View>
                        <Text className='muted dyn'>
                          {t('rules.line', { match: t(`rules.match.${rule.match}`), pattern: rule.pattern, priority: rule.priority })}
                        </Text>
                      </View>
                    </View>
                    <Text className={`tag rule-status ${rule.enabled ? '' : 'tag-muted'}`}>
                      {rule.enabled ? t('rules.on') : t('rules.off')}
                    </Text>
                  </View>
                  <Text className={`muted rule-reply ${reply.isData ? 'dyn' : ''}`}>{`↳ ${reply.text}`}</Text>
                  <View className='campaign-actions'>
                    <Text className='mini-btn rule-toggle' onClick={() => toggle(rule)}>
                      {rule.enabled ? t('rules.off') : t('rules.on')}
                    </Text>
                    <Text className='mini-btn mini-btn-danger rule-delete' onClick={() => remove(rule)}>
                      {t('rules.delete')}
                    </Text>
                  </View>
                </View>
              );
            })}
          </View>
        </>
      )}
    </View>
  );
}
