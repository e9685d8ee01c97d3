import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { ACTIVITY_WINDOWS, BEHAVIOURS, POINTS_LADDER, type Behaviour } from '@shared/api/crm';
import { ChoiceField, FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api, crmApi, type SegmentCondition, type SegmentCount, type Store, type TagView } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { go, toast, useMe } from '../../../services/useMe';

type Kind = SegmentCondition['kind'];
const KINDS: Kind[] = ['tag', 'tier', 'points', 'store', 'following', 'active', 'behaviour', 'advocate'];
const TIERS = ['regular', 'silver', 'gold', 'black_gold'] as const;
const YES_NO = ['yes', 'no'] as const;

/** One condition in words, for the list of what a segment holds. */
function describe(c: SegmentCondition, tags: TagView[], stores: Store[]): string {
  const not = 'negate' in c && c.negate ? t('segments.not') : '';
  switch (c.kind) {
    case 'tag':
      return `${not}${t('segments.kind.tag')}: ${tags.find((x) => x.id === c.tagId)?.name ?? c.tagId}`;
    case 'tier':
      return `${t('segments.kind.tier')}: ${c.tiers.map((x) => t(`tier.${x}` as 'tier.gold')).join(' / ')}`;
    case 'points':
      return t('segments.pointsAtLeast', { points: c.atLeast });
    case 'store':
      return `${t('segments.kind.store')}: ${stores.find((s) => s.id === c.storeId)?.name ?? c.storeId}`;
    case 'following':
      return t(c.value ? 'segments.following' : 'segments.notFollowing');
    case 'active':
      return `${not}${t('segments.activeWithin', { days: c.withinDays })}`;
    case 'behaviour':
      return `${not}${t(`segments.behaviour.${c.behaviour}`)}`;
    case 'advocate':
      return t('segments.kind.advocate');
  }
}

/** Saved audiences with their counts; build one from conditions, watch the live count and preview, save, reach it. */
export default function SegmentsPage() {
  usePageTitle('segments.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [loadError, setLoadError] = useState<string>();
  const [segments, refresh] = useLoadedList(Boolean(me), crmApi.segments, setLoadError);
  const [tags] = useLoadedList(Boolean(me), crmApi.tags, setLoadError);
  const [stores] = useLoadedList(Boolean(me), api.stores, setLoadError);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [conditions, setConditions] = useState<SegmentCondition[]>([]);
  const [live, setLive] = useState<SegmentCount>();
  const [kind, setKind] = useState<Kind>('tier');
  const [pick, setPick] = useState('');
  const [negate, setNegate] = useState<(typeof YES_NO)[number]>('no');
  const form = useCreateForm({ name: '' });

  // Each saved segment's count, read one by one (a count is an indexed read on the server).
  useEffect(() => {
    for (const s of segments ?? []) {
      crmApi.segment(s.id).then(
        (r) => setCounts((old) => ({ ...old, [s.id]: r.count })),
        () => undefined,
      );
    }
  }, [segments]);

  // The live count and preview follow the conditions being built.
  useEffect(() => {
    if (!conditions.length) {
      setLive(undefined);
      return;
    }
    crmApi.previewSegment(conditions).then(setLive, (err) => setLoadError(errorMessage(err)));
  }, [conditions]);

  const options: Record<Kind, string[]> = {
    tag: (tags ?? []).map((x) => x.id),
    tier: [...TIERS],
    points: POINTS_LADDER.map(String),
    store: (stores ?? []).map((s) => s.id),
    following: [...YES_NO],
    active: ACTIVITY_WINDOWS.map(String),
    behaviour: [...BEHAVIOURS],
    advocate: [],
  };
  const word = (value: string): string => {
    if (kind === 'tag') return tags?.find((x) => x.id === value)?.name ?? value;
    if (kind === 'store') return stores?.find((s) => s.id === value)?.name ?? value;
    if (kind === 'tier') return t(`tier.${value}` as 'tier.gold');
    if (kind === 'following') return t(`segments.${value as 'yes' | 'no'}`);
    if (kind === 'active') return t('segments.days', { days: value });
    if (kind === 'behaviour') return t(`segments.behaviour.${value as Behaviour}`);
    return value;
  };
  const negatable = kind === 'tag' || kind === 'active' || kind === 'behaviour';

  const condition = (): SegmentCondition | undefined => {
    const not = negate === 'yes';
    if (kind === 'advocate') return { kind };
    if (!pick) return undefined;
    switch (kind) {
      case 'tag':
        return { kind, tagId: pick, negate: not };
      case 'tier':
        return { kind, tiers: [pick] };
      case 'points':
        return { kind, atLeast: Number(pick) as (typeof POINTS_LADDER)[number] };
      case 'store':
        return { kind, storeId: pick };
      case 'following':
        return { kind, value: pick === 'yes' };
      case 'active':
        return { kind, withinDays: Number(pick) as (typeof ACTIVITY_WINDOWS)[number], negate: not };
      case 'behaviour':
        return { kind, behaviour: pick as Behaviour, negate: not };
    }
  };

  const add = () => {
    const c = condition();
    if (c) setConditions((old) => [...old, c]);
  };

  const save = async () => {
    const ok = await form.submit(async () => {
      await crmApi.createSegment({ name: form.values.name.trim(), conditions });
    }, ['name']);
    if (!ok) return;
    toast(t('admin.created'));
    setConditions([]);
    await refresh();
  };

  return (
    <View className='page segments-page'>
      <Text className='title'>{t('segments.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {loadError && <Text className='error-text segments-error'>{loadError}</Text>}
      {me && !error && (
        <>
          <View className='section segment-list'>
            <Text className='section-title'>{t('segments.saved')}</Text>
            {segments?.length === 0 && <Text className='muted'>{t('common.noData')}</Text>}
            {segments?.map((s) => (
              <View key={s.id} className='row segment-item'>
                <View className='grow'>
                  <Text className={`segment-name${s.builtIn ? '' : ' dyn'}`}>
                    {s.builtIn
                      ? t('segments.builtIn', { name: t(`segments.builtInName.${s.builtIn}` as 'segments.builtInName.advocates') })
                      : s.name}
                  </Text>
                  <Text className='muted segment-count'>{t('segments.count', { count: counts[s.id] ?? '…' })}</Text>
                </View>
                <Text className='tag tag-on segment-reach' onClick={() => go(`/pages/admin/outreach/index?segmentId=${s.id}`)}>
                  {t('segments.reach')}
                </Text>
              </View>
            ))}
          </View>

          <View className='section segment-builder'>
            <Text className='section-title'>{t('segments.build')}</Text>
            <ChoiceField
              label={t('segments.condition')}
              kind='condition'
              options={KINDS}
              chosen={kind}
              onChoose={(k) => {
                setKind(k);
                setPick('');
                setNegate('no');
              }}
              word={(k) => t(`segments.kind.${k}`)}
            />
            {options[kind].length > 0 && (
              <ChoiceField label={t('segments.value')} kind='value' options={options[kind]} chosen={pick} onChoose={setPick} word={word} />
            )}
            {negatable && (
              <ChoiceField
                label={t('segments.negate')}
                kind='negate'
                options={YES_NO}
                chosen={negate}
                onChoose={setNegate}
                word={(v) => t(`segments.${v}`)}
              />
            )}
            <Button className='btn btn-secondary segment-add' disabled={kind !== 'advocate' && !pick} onClick={add}>
              {t('segments.add')}
            </Button>

            {conditions.map((c, i) => (
              <View key={`${c.kind}-${i}`} className='row segment-condition'>
                <Text className='grow dyn'>{describe(c, tags ?? [], stores ?? [])}</Text>
                <Text className='link segment-remove' onClick={() => setConditions((old) => old.filter((_, j) => j !== i))}>
                  {t('segments.remove')}
                </Text>
              </View>
            ))}

            {live && (
              <View className='segment-live'>
                <Text className='section-title segment-live-count'>{t('segments.count', { count: live.count })}</Text>
                {live.preview.map((p) => (
                  <View key={p.id} className='row segment-preview-member'>
                    <Text className='grow dyn'>{p.name ?? p.id.slice(-6)}</Text>
                    <Text className='muted'>{p.tier ? t(`tier.${p.tier}` as 'tier.gold') : t('segments.notMember')}</Text>
                    <Text className='muted'>{p.points ?? ''}</Text>
                  </View>
                ))}
              </View>
            )}

            <FormField name='segment-name' label={t('segments.name')} value={form.values.name} onInput={form.set('name')} />
            <Button
              className='btn btn-primary segment-save'
              disabled={form.busy || !conditions.length || !form.values.name.trim()}
              onClick={save}
            >
              {t('common.save')}
            </Button>
            {form.error && <Text className='error-text segment-save-error'>{form.error}</Text>}
          </View>
        </>
      )}
    </View>
  );
}
