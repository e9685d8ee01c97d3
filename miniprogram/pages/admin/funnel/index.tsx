import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle, type MessageKey } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { api, couponApi, type Campaign, type FunnelReport, type Store } from '../../../services/loopline';
import { go, useMe } from '../../../services/useMe';
import { EmptyState } from '../../../components/EmptyState';
import { isMessageKey } from '@shared/i18n';

function channelLabel(channel: string): string {
  const key = `funnel.channel.${channel}`;
  return t(isMessageKey(key) ? (key as MessageKey) : 'funnel.channel.other');
}

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

interface Bar {
  key: string;
  label: string;
  value: number;
  note: string;
  flagged?: boolean;
  /** The label is data (a store's name), not a dictionary word. */
  dyn?: boolean;
  /** The label changes from run to run (a staff id). */
  mask?: boolean;
}

/** Plain horizontal bars: width is the share of the biggest value in the group. */
function Bars({ title, bars, className }: { title: string; bars: Bar[]; className: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <View className={`section bars ${className}`}>
      <Text className='section-title'>{title}</Text>
      {bars.length === 0 && <Text className='muted'>{t('common.noData')}</Text>}
      {bars.map((bar) => (
        <View key={bar.key} className={`bar-row ${bar.flagged ? 'bar-flagged' : ''}`}>
          <View className='bar-head'>
            <Text
              className={`bar-label ${bar.dyn ? 'dyn' : ''} ${bar.mask ? 'mask' : ''}`}
            >{`${bar.flagged ? '⚠ ' : ''}${bar.label}`}</Text>
            <Text className='bar-note'>{bar.note}</Text>
          </View>
          <View className='bar-track'>
            <View className='bar-fill' style={{ width: `${Math.max(2, (bar.value / max) * 100)}%` }} />
          </View>
        </View>
      ))}
    </View>
  );
}

export default function FunnelPage() {
  usePageTitle('funnel.title');
  const { params } = useRouter();
  const { me, loading, error } = useMe(['admin']);
  const [campaigns, setCampaigns] = useState<Campaign[]>();
  const [campaignId, setCampaignId] = useState(params.campaignId ?? '');
  const [report, setReport] = useState<FunnelReport>();
  const [stores, setStores] = useState<Store[]>([]);
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    if (!me || error) return;
    couponApi
      .campaigns()
      .then((page) => {
        setCampaigns(page.items);
        if (!campaignId && page.items[0]) setCampaignId(page.items[0].id);
      })
      .catch((err) => setLoadError(errorMessage(err)));
    api
      .stores()
      .then((page) => setStores(page.items))
      .catch(() => setStores([]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me, error]);

  useEffect(() => {
    if (!me || error || !campaignId) return;
    setReport(undefined);
    couponApi
      .funnel(campaignId)
      .then((r) => {
        setReport(r);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
  }, [me, error, campaignId]);

  const storeName = (id: string) =>
    stores.find((s) => s.id === id)?.name ?? (id === '-' ? t('funnel.noStore') : t('funnel.storeId', { id: id.slice(-6) }));

  return (
    <View className='page funnel-page'>
      <Text className='title'>{t('funnel.title')}</Text>
      <StatusView loading={(loading && !me) || (!!campaignId && !report && !loadError && !error)} error={error ?? loadError} />
      {campaigns && campaigns.length > 1 && (
        <View className='section'>
          {campaigns.map((c) => (
            <Text
              key={c.id}
              className={`tag funnel-campaign dyn ${c.id === campaignId ? 'tag-on' : ''}`}
              onClick={() => setCampaignId(c.id)}
            >
              {c.name}
            </Text>
          ))}
        </View>
      )}
      {campaigns?.length === 0 && (
        <EmptyState
          className='empty-funnel'
          title={t('funnel.empty')}
          action={t('funnel.emptyAction')}
          onAction={() => go('/pages/admin/campaigns/index')}
        />
      )}
      {report && (
        <>
          <View className='section funnel-totals'>
            <Text className='section-title dyn'>{campaigns?.find((c) => c.id === report.campaignId)?.name ?? ''}</Text>
            <View className='stat-grid'>
              <Stat className='stat-issued' label={t('funnel.issued')} value={`${report.issued}/${report.stock}`} />
              <Stat className='stat-claimed' label={t('funnel.claimed')} value={report.claimed} />
              <Stat className='stat-gifted' label={t('funnel.gifted')} value={report.gifted} />
              <Stat className='stat-redeemed' label={t('funnel.redeemed')} value={report.redeemed} />
            </View>
            <Text className='muted funnel-rate'>{t('funnel.rate', { rate: percent(report.redemptionRate) })}</Text>
          </View>
          <Bars
            className='by-channel'
            title={t('funnel.byChannel')}
            bars={report.byChannel.map((row) => ({
              key: row.key,
              label: channelLabel(row.key),
              value: row.redemptionRate,
              note: t('funnel.channelNote', { claimed: row.claimed, redeemed: row.redeemed, rate: percent(row.redemptionRate) }),
            }))}
          />
          <Bars
            className='by-store'
            title={t('funnel.byStore')}
            bars={report.byStore.map((row) => ({
              key: row.key,
              label: storeName(row.key),
              dyn: true,
              value: row.redeemed,
              note: t('funnel.storeNote', { redeemed: row.redeemed, rate: percent(row.redemptionRate) }),
            }))}
          />
          <Bars
            className='by-clerk'
            title={t('funnel.byClerk')}
            bars={report.byClerk.map((row) => ({
              key: `${row.storeId}-${row.staffId}`,
              label: t('funnel.clerkLabel', { staff: row.staffId.slice(-6), store: storeName(row.storeId) }),
              dyn: true,
              mask: true,
              value: row.redeemed,
              note: row.flagged
                ? t('funnel.clerkFlagged', { redeemed: row.redeemed, average: row.storeAverage.toFixed(1) })
                : t('funnel.clerkNote', { redeemed: row.redeemed }),
              flagged: row.flagged,
            }))}
          />
        </>
      )}
    </View>
  );
}

function Stat({ label, value, className }: { label: string; value: number | string; className: string }) {
  return (
    <View className={`stat ${className}`}>
      <Text className='stat-value'>{value}</Text>
      <Text className='stat-label'>{label}</Text>
    </View>
  );
}
