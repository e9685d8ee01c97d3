import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import {
  isMenuGroup,
  MENU_LIMITS,
  menuProblems,
  utf8Bytes,
  type MenuAction,
  type MenuDraft,
  type MenuEntry,
  type MenuState,
} from '@shared/officialAccount';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { keywordRuleApi, menuApi, type KeywordRule } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

// The official account's custom menu: edit, preview, publish through the platform.

const TYPES: Array<{ key: MenuAction['type']; label: string }> = [
  { key: 'click', label: '点击回复' },
  { key: 'view', label: '打开网页' },
  { key: 'miniprogram', label: '打开小程序' },
];

const blankAction = (type: MenuAction['type'], name: string): MenuAction =>
  type === 'click'
    ? { type, name, key: '' }
    : type === 'view'
      ? { type, name, url: 'https://' }
      : { type, name, appid: '', pagepath: 'pages/member/home/index', url: 'https://' };

export default function OaMenuPage() {
  const { me, loading, error } = useMe(['admin']);
  const [entries, setEntries] = useState<MenuEntry[]>([]);
  const [state, setState] = useState<MenuState>();
  const [rules, setRules] = useState<KeywordRule[]>([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    if (!me || error) return;
    menuApi.get().then((s) => {
      setState(s);
      setEntries(s.draft?.entries ?? [blankAction('click', '会员中心')]);
    }, (err) => setMessage(errorMessage(err)));
    keywordRuleApi.list().then((list) => setRules(list.items), () => undefined);
  }, [me, error]);

  const draft: MenuDraft = { entries };
  const problems = entries.length ? menuProblems(draft) : [];
  const problemAt = (path: string) => problems.find((p) => p.path === path)?.message;

  const setEntry = (i: number, entry: MenuEntry) => setEntries((all) => all.map((e, j) => (j === i ? entry : e)));
  const setSub = (i: number, j: number, action: MenuAction) => {
    const group = entries[i];
    if (group && isMenuGroup(group)) setEntry(i, { ...group, sub: group.sub.map((a, k) => (k === j ? action : a)) });
  };

  const save = async (): Promise<boolean> => {
    setBusy(true);
    setMessage(undefined);
    try {
      setState(await menuApi.save(draft));
      return true;
    } catch (err) {
      setMessage(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const publish = async () => {
    if (!(await save())) return;
    setBusy(true);
    try {
      setState(await menuApi.publish());
      void Taro.showToast({ title: '已发布', icon: 'success' });
    } catch (err) {
      setMessage(errorMessage(err));
      setState(await menuApi.get().catch(() => state));
    } finally {
      setBusy(false);
    }
  };

  const actionFields = (action: MenuAction, path: string, onChange: (a: MenuAction) => void, sub: boolean) => (
    <View className='menu-action'>
      <NameField value={action.name} limit={sub ? MENU_LIMITS.subNameBytes : MENU_LIMITS.topNameBytes} problem={problemAt(`${path}.name`)} onChange={(name) => onChange({ ...action, name })} />
      <View>
        {TYPES.map((t) => (
          <Text key={t.key} className={`tag type-${t.key} ${action.type === t.key ? 'tag-on' : ''}`} onClick={() => onChange(blankAction(t.key, action.name))}>
            {t.label}
          </Text>
        ))}
      </View>
      {action.type === 'click' && (
        <>
          <Field label='KEY' value={action.key} className='entry-key' onChange={(key) => onChange({ ...action, key })} />
          <Text className='field-label'>回复</Text>
          <View>
            <Text className={`tag ${!action.keywordRuleId ? 'tag-on' : ''}`} onClick={() => onChange({ ...action, keywordRuleId: null })}>
              默认回复
            </Text>
            {rules.map((r) => (
              <Text key={r.id} className={`tag bind-rule ${action.keywordRuleId === r.id ? 'tag-on' : ''}`} onClick={() => onChange({ ...action, keywordRuleId: r.id })}>
                {r.name}
              </Text>
            ))}
          </View>
        </>
      )}
      {action.type === 'view' && <Field label='网址' value={action.url} className='entry-url' onChange={(url) => onChange({ ...action, url })} />}
      {action.type === 'miniprogram' && (
        <>
          <Field label='小程序 AppID' value={action.appid} className='entry-appid' onChange={(appid) => onChange({ ...action, appid })} />
          <Field label='页面路径' value={action.pagepath} className='entry-pagepath' onChange={(pagepath) => onChange({ ...action, pagepath })} />
          <Field label='备用网址' value={action.url} className='entry-url' onChange={(url) => onChange({ ...action, url })} />
        </>
      )}
    </View>
  );

  return (
    <View className='page oa-menu-page'>
      <Text className='title'>公众号菜单</Text>
      <Text className='subtitle'>最多 3 个一级菜单，每个最多 5 个子菜单</Text>
      <StatusView loading={(loading && !me) || (!!me && !state && !message)} error={error} />
      {state && (
        <>
          <MenuPreview entries={entries} />
          {entries.map((entry, i) => (
            <View key={i} className='section menu-entry'>
              <View className='row'>
                <Text className='section-title'>一级菜单 {i + 1}</Text>
                <Text className='link remove-entry' onClick={() => setEntries((all) => all.filter((_, j) => j !== i))}>
                  删除
                </Text>
              </View>
              <View>
                <Text className={`tag ${!isMenuGroup(entry) ? 'tag-on' : ''}`} onClick={() => isMenuGroup(entry) && setEntry(i, blankAction('click', entry.name))}>
                  直接动作
                </Text>
                <Text className={`tag make-group ${isMenuGroup(entry) ? 'tag-on' : ''}`} onClick={() => !isMenuGroup(entry) && setEntry(i, { name: entry.name, sub: [entry] })}>
                  子菜单
                </Text>
              </View>
              {isMenuGroup(entry) ? (
                <>
                  <NameField value={entry.name} limit={MENU_LIMITS.topNameBytes} problem={problemAt(`entries.${i}.name`)} onChange={(name) => setEntry(i, { ...entry, name })} />
                  {entry.sub.map((action, j) => (
                    <View key={j} className='menu-sub'>
                      <View className='row'>
                        <Text className='muted'>子菜单 {j + 1}</Text>
                        {entry.sub.length > 1 && (
                          <Text className='link' onClick={() => setEntry(i, { ...entry, sub: entry.sub.filter((_, k) => k !== j) })}>
                            删除
                          </Text>
                        )}
                      </View>
                      {actionFields(action, `entries.${i}.sub.${j}`, (a) => setSub(i, j, a), true)}
                    </View>
                  ))}
                  {entry.sub.length < MENU_LIMITS.subEntries && (
                    <Text className='link add-sub' onClick={() => setEntry(i, { ...entry, sub: [...entry.sub, blankAction('view', '新子菜单')] })}>
                      ＋ 添加子菜单
                    </Text>
                  )}
                </>
              ) : (
                actionFields(entry, `entries.${i}`, (a) => setEntry(i, a), false)
              )}
            </View>
          ))}
          {entries.length < MENU_LIMITS.topLevel && (
            <Button className='btn btn-secondary add-entry' onClick={() => setEntries((all) => [...all, blankAction('click', '新菜单')])}>
              添加一级菜单
            </Button>
          )}
          {message && <Text className='error-text menu-error'>{message}</Text>}
          <View className='row'>
            <Button className='btn btn-secondary save-menu' disabled={busy || !entries.length} onClick={() => void save()}>
              保存草稿
            </Button>
            <Button className='btn btn-primary publish-menu' disabled={busy || !entries.length} onClick={() => void publish()}>
              发布到公众号
            </Button>
          </View>
          {state.lastPublish && (
            <Text className={`muted publish-status ${state.lastPublish.ok ? 'publish-ok' : 'publish-failed'}`}>
              {state.lastPublish.ok
                ? `已于 ${formatTime(state.lastPublish.at)} 发布`
                : `${formatTime(state.lastPublish.at)} 发布失败：${state.lastPublish.errmsg ?? ''}（errcode ${state.lastPublish.errcode ?? ''}）`}
            </Text>
          )}
        </>
      )}
    </View>
  );
}

function Field({ label, value, className, onChange }: { label: string; value: string; className: string; onChange: (v: string) => void }) {
  return (
    <View className={`field ${className}`}>
      <Text className='field-label'>{label}</Text>
      <Input className='field-input' value={value} onInput={(e) => onChange(e.detail.value)} />
    </View>
  );
}

/** A name with its length in bytes as the platform counts it. */
function NameField({ value, limit, problem, onChange }: { value: string; limit: number; problem?: string | undefined; onChange: (v: string) => void }) {
  return (
    <View className='field entry-name'>
      <Text className='field-label'>
        名称 {utf8Bytes(value)}/{limit} 字节
      </Text>
      <Input className='field-input' value={value} onInput={(e) => onChange(e.detail.value)} />
      {problem && <Text className='error-text name-problem'>{problem}</Text>}
    </View>
  );
}

/** The menu as followers will see it at the bottom of the chat. */
function MenuPreview({ entries }: { entries: MenuEntry[] }) {
  return (
    <View className='section menu-preview' style={{ display: 'flex', borderTop: '1px solid #ddd', padding: 0 }}>
      {entries.map((entry, i) => (
        <View key={i} className='preview-entry' style={{ flex: 1, textAlign: 'center', padding: '8px 4px', borderLeft: i ? '1px solid #eee' : 'none' }}>
          {isMenuGroup(entry) &&
            entry.sub.map((a, j) => (
              <Text key={j} className='muted preview-sub' style={{ display: 'block', fontSize: '12px' }}>
                {a.name}
              </Text>
            ))}
          <Text className='preview-name'>{isMenuGroup(entry) ? `≡ ${entry.name}` : entry.name}</Text>
        </View>
      ))}
    </View>
  );
}
