import { Button, Input, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage, showError } from '../../../services/api';
import { keywordRuleApi, type KeywordRule } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { useMe } from '../../../services/useMe';
import type { KeywordMatchKind, PassiveReply } from '@shared/officialAccount';

const MATCHES: Array<{ key: KeywordMatchKind; label: string }> = [
  { key: 'exact', label: '完全匹配' },
  { key: 'contains', label: '包含' },
  { key: 'regex', label: '正则' },
];

function replySummary(reply: PassiveReply): string {
  switch (reply.type) {
    case 'text':
      return reply.content;
    case 'news':
      return `图文：${reply.articles[0]?.title ?? ''}${reply.articles.length > 1 ? ` 等 ${reply.articles.length} 篇` : ''}`;
    case 'transfer_customer_service':
      return '转人工客服';
    default:
      return `${reply.type} 消息`;
  }
}

export default function KeywordRulesPage() {
  const { me, loading, error } = useMe(['admin']);
  const [name, setName] = useState('');
  const [match, setMatch] = useState<KeywordMatchKind>('contains');
  const [pattern, setPattern] = useState('');
  const [content, setContent] = useState('');
  const [priority, setPriority] = useState('0');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();

  const [rules, refresh, setRules] = useLoadedList(Boolean(me && !error), () => keywordRuleApi.list(), setFormError);

  const create = async () => {
    setBusy(true);
    setFormError(undefined);
    try {
      await keywordRuleApi.create({
        name: name.trim(),
        match,
        pattern: pattern.trim(),
        priority: Number(priority || '0'),
        reply: { type: 'text', content: content.trim() },
      });
      setName('');
      setPattern('');
      setContent('');
      await refresh();
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const toggle = async (rule: KeywordRule) => {
    try {
      const updated = await keywordRuleApi.update(rule.id, { enabled: !rule.enabled });
      setRules((all) => all?.map((r) => (r.id === updated.id ? updated : r)));
    } catch (err) {
      showError(err);
    }
  };

  const remove = async (rule: KeywordRule) => {
    const { confirm } = await Taro.showModal({ title: '删除规则', content: `删除「${rule.name}」？` });
    if (!confirm) return;
    try {
      await keywordRuleApi.remove(rule.id);
      setRules((all) => all?.filter((r) => r.id !== rule.id));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <View className='page keyword-rules-page'>
      <Text className='title'>关键词回复</Text>
      <Text className='subtitle'>公众号收到匹配的消息时自动回复 · Keyword auto-replies</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <>
          <View className='section keyword-form'>
            <Text className='section-title'>新建规则 New rule</Text>
            <View className='field field-rule-name'>
              <Text className='field-label'>名称 Name</Text>
              <Input className='field-input' value={name} placeholder='例如 营业时间' onInput={(e) => setName(e.detail.value)} />
            </View>
            <View className='field'>
              <Text className='field-label'>匹配方式 Match</Text>
              <View>
                {MATCHES.map((m) => (
                  <Text key={m.key} className={`tag match-${m.key} ${match === m.key ? 'tag-on' : ''}`} onClick={() => setMatch(m.key)}>
                    {m.label}
                  </Text>
                ))}
              </View>
            </View>
            <View className='field-grid'>
              <View className='field field-rule-pattern' style={{ flex: 3 }}>
                <Text className='field-label'>关键词 Keyword</Text>
                <Input className='field-input' value={pattern} placeholder='营业时间' onInput={(e) => setPattern(e.detail.value)} />
              </View>
              <View className='field field-rule-priority'>
                <Text className='field-label'>优先级</Text>
                <Input className='field-input' type='number' value={priority} onInput={(e) => setPriority(e.detail.value)} />
              </View>
            </View>
            <View className='field field-rule-reply'>
              <Text className='field-label'>回复内容 Reply text</Text>
              <Textarea className='field-textarea' value={content} maxlength={2048} placeholder='每天 10:00–22:00 营业' onInput={(e) => setContent(e.detail.value)} />
            </View>
            <Button className='btn btn-primary rule-create' disabled={busy || !name.trim() || !pattern.trim() || !content.trim()} onClick={create}>
              添加 Add
            </Button>
            {formError && <Text className='error-text rule-error'>{formError}</Text>}
          </View>

          <View className='section rule-list'>
            <Text className='section-title'>全部规则（按优先级）</Text>
            {rules?.length === 0 && <Text className='muted'>还没有规则</Text>}
            {rules?.map((rule) => (
              <View key={rule.id} className={`campaign-row rule-row ${rule.enabled ? '' : 'rule-off'}`}>
                <View className='row'>
                  <View>
                    <Text className='campaign-name rule-name'>{rule.name}</Text>
                    <View>
                      <Text className='muted'>
                        {MATCHES.find((m) => m.key === rule.match)?.label}「{rule.pattern}」· 优先级 {rule.priority}
                      </Text>
                    </View>
                  </View>
                  <Text className={`tag rule-status ${rule.enabled ? '' : 'tag-muted'}`}>{rule.enabled ? '启用' : '停用'}</Text>
                </View>
                <Text className='muted rule-reply'>↳ {replySummary(rule.reply)}</Text>
                <View className='campaign-actions'>
                  <Text className='mini-btn rule-toggle' onClick={() => toggle(rule)}>
                    {rule.enabled ? '停用' : '启用'}
                  </Text>
                  <Text className='mini-btn mini-btn-danger rule-delete' onClick={() => remove(rule)}>
                    删除
                  </Text>
                </View>
              </View>
            ))}
          </View>
        </>
      )}
    </View>
  );
}
