import { Button, Input, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import {
  isMenuGroup,
  MENU_LIMITS,
  menuProblems,
  utf8Bytes,
  type MenuAction,
  type MenuDraft,
  type MenuEntry,
  type MenuProblem,
  type MenuState,
} from '@shared/officialAccount';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { keywordRuleApi, menuApi, type KeywordRule } from '../../../services/loopline';
import { toast, useMe } from '../../../services/useMe';

// The official account's custom menu: edit, preview, publish through the platform.

const TYPES: Array<MenuAction['type']> = ['click', 'view', 'miniprogram'];

/** The platform's limit, in the reader's language (menuProblems words it for the server's logs). */
function problemText(problem: MenuProblem): string {
  if (problem.errcode === 40018 || problem.errcode === 40025) {
    const limit = problem.errcode === 40025 ? MENU_LIMITS.subNameBytes : MENU_LIMITS.topNameBytes;
    return t('oaMenu.problem.name', { limit, chars: Math.floor(limit / 3) });
  }
  return problem.errcode === 40019 || problem.errcode === 40026 ? t('oaMenu.problem.key') : t('oaMenu.problem.url');
}

const blankAction = (type: MenuAction['type'], name: string): MenuAction =>
  type === 'click'
    ? { type, name, key: '' }
    : type === 'view'
      ? { type, name, url: 'https://' }
      : { type, name, appid: '', pagepath: 'pages/member/home/index', url: 'https://' };

export default function OaMenuPage() {
  usePageTitle('oaMenu.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [entries, setEntries] = useState<MenuEntry[]>([]);
  const [state, setState] = useState<MenuState>();
  const [rules, setRules] = useState<KeywordRule[]>([]);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    if (!me || error) return;
    menuApi.get().then(
      (s) => {
        setState(s);
        setEntries(s.draft?.entries ?? [blankAction('click', t('oaMenu.defaultName'))]);
      },
      (err) => setMessage(errorMessage(err)),
    );
    keywordRuleApi.list().then(
      (list) => setRules(list.items),
      () => undefined,
    );
  }, [me, error]);

  const draft: MenuDraft = { entries };
  const problems = entries.length ? menuProblems(draft) : [];
  const problemAt = (path: string) => {
    const problem = problems.find((p) => p.path === path);
    return problem && problemText(problem);
  };

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
      toast(t('oaMenu.published'));
    } catch (err) {
      setMessage(errorMessage(err));
      setState(await menuApi.get().catch(() => state));
    } finally {
      setBusy(false);
    }
  };

  const actionFields = (action: MenuAction, path: string, onChange: (a: MenuAction) => void, sub: boolean) => (
    <View className='menu-action'>
      <NameField
        value={action.name}
        limit={sub ? MENU_LIMITS.subNameBytes : MENU_LIMITS.topNameBytes}
        problem={problemAt(`${path}.name`)}
        onChange={(name) => onChange({ ...action, name })}
      />
      <View>
        {TYPES.map((type) => (
          <Text
            key={type}
            className={`tag type-${type} ${action.type === type ? 'tag-on' : ''}`}
            onClick={() => onChange(blankAction(type, action.name))}
          >
            {t(`oaMenu.type.${type}`)}
          </Text>
        ))}
      </View>
      {action.type === 'click' && (
        <>
          <Field label={t('oaMenu.key')} value={action.key} className='entry-key' onChange={(key) => onChange({ ...action, key })} />
          <Text className='field-label'>{t('oaMenu.reply')}</Text>
          <View>
            <Text className={`tag ${!action.keywordRuleId ? 'tag-on' : ''}`} onClick={() => onChange({ ...action, keywordRuleId: null })}>
              {t('oaMenu.defaultReply')}
            </Text>
            {rules.map((r) => (
              <Text
                key={r.id}
                className={`tag bind-rule dyn ${action.keywordRuleId === r.id ? 'tag-on' : ''}`}
                onClick={() => onChange({ ...action, keywordRuleId: r.id })}
              >
                {r.name}
              </Text>
            ))}
          </View>
        </>
      )}
      {action.type === 'view' && (
        <Field label={t('oaMenu.url')} value={action.url} className='entry-url' onChange={(url) => onChange({ ...action, url })} />
      )}
      {action.type === 'miniprogram' && (
        <>
          <Field
            label={t('oaMenu.appid')}
            value={action.appid}
            className='entry-appid'
            onChange={(appid) => onChange({ ...action, appid })}
          />
          <Field
            label={t('oaMenu.pagepath')}
            value={action.pagepath}
            className='entry-pagepath'
            onChange={(pagepath) => onChange({ ...action, pagepath })}
          />
          <Field
            label={t('oaMenu.fallbackUrl')}
            value={action.url}
            className='entry-url'
            onChange={(url) => onChange({ ...action, url })}
          />
        </>
      )}
    </View>
  );

  return (
    <View className='page oa-menu-page'>
      <Text className='title'>{t('oaMenu.title')}</Text>
      <Text className='subtitle'>{t('oaMenu.subtitle')}</Text>
      <StatusView
        loading={(loading && !me) || (!!me && !state && !message)}
        error={error ?? (state ? undefined : message)}
        onRetry={reload}
      />
      {state && (
        <>
          <MenuPreview entries={entries} />
          {entries.map((entry, i) => (
            <View key={i} className='section menu-entry'>
              <View className='row'>
                <Text className='section-title'>{t('oaMenu.entry', { n: i + 1 })}</Text>
                <Text className='link remove-entry' onClick={() => setEntries((all) => all.filter((_, j) => j !== i))}>
                  {t('oaMenu.remove')}
                </Text>
              </View>
              <View>
                <Text
                  className={`tag ${!isMenuGroup(entry) ? 'tag-on' : ''}`}
                  onClick={() => isMenuGroup(entry) && setEntry(i, blankAction('click', entry.name))}
                >
                  {t('oaMenu.direct')}
                </Text>
                <Text
                  className={`tag make-group ${isMenuGroup(entry) ? 'tag-on' : ''}`}
                  onClick={() => !isMenuGroup(entry) && setEntry(i, { name: entry.name, sub: [entry] })}
                >
                  {t('oaMenu.group')}
                </Text>
              </View>
              {isMenuGroup(entry) ? (
                <>
                  <NameField
                    value={entry.name}
                    limit={MENU_LIMITS.topNameBytes}
                    problem={problemAt(`entries.${i}.name`)}
                    onChange={(name) => setEntry(i, { ...entry, name })}
                  />
                  {entry.sub.map((action, j) => (
                    <View key={j} className='menu-sub'>
                      <View className='row'>
                        <Text className='muted'>{t('oaMenu.sub', { n: j + 1 })}</Text>
                        {entry.sub.length > 1 && (
                          <Text className='link' onClick={() => setEntry(i, { ...entry, sub: entry.sub.filter((_, k) => k !== j) })}>
                            {t('oaMenu.remove')}
                          </Text>
                        )}
                      </View>
                      {actionFields(action, `entries.${i}.sub.${j}`, (a) => setSub(i, j, a), true)}
                    </View>
                  ))}
                  {entry.sub.length < MENU_LIMITS.subEntries && (
                    <Text
                      className='link add-sub'
                      onClick={() => setEntry(i, { ...entry, sub: [...entry.sub, blankAction('view', t('oaMenu.newSub'))] })}
                    >
                      {t('oaMenu.addSub')}
                    </Text>
                  )}
                </>
              ) : (
                actionFields(entry, `entries.${i}`, (a) => setEntry(i, a), false)
              )}
            </View>
          ))}
          {entries.length < MENU_LIMITS.topLevel && (
            <Button
              className='btn btn-secondary add-entry'
              onClick={() => setEntries((all) => [...all, blankAction('click', t('oaMenu.newEntry'))])}
            >
              {t('oaMenu.addEntry')}
            </Button>
          )}
          {message && <Text className='error-text menu-error'>{message}</Text>}
          <View className='row'>
            <Button className='btn btn-secondary save-menu' disabled={busy || !entries.length} onClick={() => void save()}>
              {t('oaMenu.save')}
            </Button>
            <Button className='btn btn-primary publish-menu' disabled={busy || !entries.length} onClick={() => void publish()}>
              {t('oaMenu.publish')}
            </Button>
          </View>
          {state.lastPublish && (
            <Text className={`muted publish-status ${state.lastPublish.ok ? 'publish-ok' : 'publish-failed'}`}>
              {state.lastPublish.ok
                ? t('oaMenu.publishedAt', { time: formatTime(state.lastPublish.at) })
                : t('oaMenu.publishFailed', {
                    time: formatTime(state.lastPublish.at),
                    message: state.lastPublish.errmsg ?? '',
                    errcode: state.lastPublish.errcode ?? '',
                  })}
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
function NameField({
  value,
  limit,
  problem,
  onChange,
}: {
  value: string;
  limit: number;
  problem?: string | undefined;
  onChange: (v: string) => void;
}) {
  return (
    <View className='field entry-name'>
      <Text className='field-label'>{t('oaMenu.name', { bytes: utf8Bytes(value), limit })}</Text>
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
        <View
          key={i}
          className='preview-entry'
          style={{ flex: 1, textAlign: 'center', padding: '8px 4px', borderLeft: i ? '1px solid #eee' : 'none' }}
        >
          {isMenuGroup(entry) &&
            entry.sub.map((a, j) => (
              <Text key={j} className='muted preview-sub dyn' style={{ display: 'block', fontSize: '12px' }}>
                {a.name}
              </Text>
            ))}
          <Text className='preview-name dyn'>{isMenuGroup(entry) ? `≡ ${entry.name}` : entry.name}</Text>
        </View>
      ))}
    </View>
  );
}
