import { Button, Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { FormField } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { formatTime } from '../../../services/format';
import { crmApi, type CustomerView, type TimelineEntry } from '../../../services/loopline';
import { useAction } from '../../../services/useAction';
import { go, useMe } from '../../../services/useMe';

/** One customer as the store sees them: profile, tags, tier and points, coupons, tickets, the timeline; add a note or a tag. */
export default function CustomerPage() {
  usePageTitle('customer.title');
  const { me, loading, error, reload } = useMe(['clerk', 'manager', 'admin']);
  const params = useRouter().params;
  const id = params.id ?? '';
  const storeId = params.storeId || undefined;
  const [view, setView] = useState<CustomerView>();
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [manualTags, setManualTags] = useState<Array<{ id: string; name: string }>>([]);
  const [loadError, setLoadError] = useState<string>();
  const [note, setNote] = useState('');

  const loadView = async () => {
    try {
      setView(await crmApi.customer(id, storeId));
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  const loadTimeline = async (after?: string) => {
    try {
      const page = await crmApi.timeline(id, storeId, after);
      setTimeline((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    if (!me || !id) return;
    void loadView();
    void loadTimeline();
    crmApi.staffTags(storeId).then(
      (r) => setManualTags(r.items),
      () => undefined,
    );
    // Loads once the person is known; the customer comes from the page's address.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, id]);

  const { busy, actionError, run: act } = useAction(() => Promise.all([loadView(), loadTimeline()]));
  const addNote = async () => {
    if (await act(() => crmApi.addNote(id, note.trim(), storeId), t('customer.noted'))) setNote('');
  };

  const c = view?.customer;
  const carried = new Set(view?.tags.map((tag) => tag.id));
  return (
    <View className='page customer-page'>
      <StatusView loading={(loading && !me) || (!view && !loadError && !error)} error={error ?? loadError} onRetry={reload} rows={3} />
      {c && view && (
        <>
          <View className='section customer-profile'>
            <Text className='title customer-name dyn'>{c.name ?? t('customer.noName')}</Text>
            <View className='row'>
              <Text className='muted'>{t('identify.tier')}</Text>
              <Text className='tag customer-tier'>{c.tier ? t(`tier.${c.tier}` as 'tier.gold') : t('segments.notMember')}</Text>
            </View>
            <View className='row'>
              <Text className='muted'>{t('identify.points')}</Text>
              <Text className='customer-points'>{c.points ?? 0}</Text>
            </View>
            {c.memberNo && (
              <View className='row'>
                <Text className='muted'>{t('identify.memberNo')}</Text>
                <Text className='mask'>{c.memberNo}</Text>
              </View>
            )}
            {c.phoneTail && (
              <View className='row'>
                <Text className='muted'>{t('customer.phoneTail')}</Text>
                <Text className='dyn'>{c.phoneTail}</Text>
              </View>
            )}
            <View className='row'>
              <Text className='muted'>{t('customer.following')}</Text>
              <Text className='dyn'>
                {t(c.following ? 'segments.yes' : 'segments.no')}
                {c.followChannel ? ` · ${c.followChannel.startsWith('store:') ? t('customer.storeQr') : c.followChannel}` : ''}
              </Text>
            </View>
            {c.birthday && (
              <View className='row'>
                <Text className='muted'>{t('customer.birthday')}</Text>
                <Text className='dyn'>{c.birthday}</Text>
              </View>
            )}
          </View>

          <View className='section customer-tags'>
            <Text className='section-title'>{t('customer.tags')}</Text>
            <View>
              {view.tags.length === 0 && <Text className='muted'>{t('common.noData')}</Text>}
              {view.tags.map((tag) => (
                <Text key={tag.id} className={`tag tag-on customer-tag dyn ${tag.kind === 'auto' ? 'customer-tag-auto' : ''}`}>
                  {tag.name}
                  {tag.kind === 'manual' && (
                    <Text
                      className='customer-tag-remove'
                      onClick={() => void act(() => crmApi.removeTag(id, tag.id, storeId), t('customer.untagged'))}
                    >
                      {' ×'}
                    </Text>
                  )}
                </Text>
              ))}
            </View>
            {manualTags.some((tag) => !carried.has(tag.id)) && (
              <>
                <Text className='field-label'>{t('customer.addTag')}</Text>
                <View>
                  {manualTags
                    .filter((tag) => !carried.has(tag.id))
                    .map((tag) => (
                      <Text
                        key={tag.id}
                        className='tag customer-tag-add dyn'
                        onClick={() => !busy && void act(() => crmApi.addTag(id, tag.id, storeId), t('customer.tagged'))}
                      >
                        + {tag.name}
                      </Text>
                    ))}
                </View>
              </>
            )}
          </View>

          <View className='section customer-coupons'>
            <Text className='section-title'>{t('customer.coupons', { count: view.coupons.length })}</Text>
            {view.coupons.map((coupon) => (
              <View key={coupon.id} className='row'>
                <Text className='grow dyn'>{coupon.name}</Text>
                <Text className='muted'>{t(`coupon.state.${coupon.state}` as 'coupon.state.available')}</Text>
              </View>
            ))}
          </View>

          <View className='section customer-tickets'>
            <Text className='section-title'>{t('customer.tickets', { count: view.tickets.length })}</Text>
            {view.tickets.map((ticket) => (
              <View key={ticket.id} className='row customer-ticket' onClick={() => go(`/pages/staff/ticket/index?id=${ticket.id}`)}>
                <Text className='grow dyn'>
                  {t(`ticket.type.${ticket.type}` as 'ticket.type.complaint')} ·{' '}
                  {t(`ticket.state.${ticket.state}` as 'ticket.state.submitted')}
                </Text>
                <Text className='muted'>{formatTime(ticket.createdAt)}</Text>
                <Text className='menu-arrow'>›</Text>
              </View>
            ))}
          </View>

          <View className='section customer-note'>
            <FormField name='customer-note' label={t('customer.note')} multiline maxlength={1000} value={note} onInput={setNote} />
            <Button className='btn btn-primary customer-note-add' disabled={busy || !note.trim()} onClick={addNote}>
              {t('customer.addNote')}
            </Button>
            {actionError && <Text className='error-text customer-error'>{actionError}</Text>}
          </View>

          <View className='section customer-timeline'>
            <Text className='section-title'>{t('customer.timeline')}</Text>
            {timeline.map((item) => (
              <View key={item.id} className='row timeline-item'>
                <View className='grow'>
                  <Text className='dyn'>{item.summary}</Text>
                  <Text className='muted'>
                    {formatTime(item.at)} · {item.channel}
                  </Text>
                </View>
              </View>
            ))}
            {cursor && (
              <Text className='link timeline-more' onClick={() => void loadTimeline(cursor)}>
                {t('customer.more')}
              </Text>
            )}
          </View>
        </>
      )}
    </View>
  );
}
