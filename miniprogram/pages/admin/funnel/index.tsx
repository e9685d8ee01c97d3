import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { api, couponApi, type Campaign, type FunnelReport, type Store } from '../../../services/loopline';
import { useMe } from '../../../services/useMe';

const CHANNEL_LABEL: Record<string, string> = {
  mini_program: '小程序',
  oa_follow: '关注公众号',
  oa_keyword: '公众号关键词',
  service_recovery: '售后补偿',
};

const percent = (rate: number) => `${Math.round(rate * 1000) / 10}%`;

interface Bar {
  key: string;
  label: string;
  value: number;
  note: string;
  flagged?: boolean;
}

/** Plain horizontal bars: width is the share of the biggest value in the group. */
function Bars({ title, bars, className }: { title: string; bars: Bar[]; className: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <View className={`section bars ${className}`}>
      <Text className='section-title'>{title}</Text>
      {bars.length === 0 && <Text className='muted'>暂无数据</Text>}
      {bars.map((bar) => (
        <View key={bar.key} className={`bar-row ${bar.flagged ? 'bar-flagged' : ''}`}>
          <View className='bar-head'>
            <Text className='bar-label'>
              {bar.flagged ? '⚠ ' : ''}
              {bar.label}
            </Text>
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

  const storeName = (id: string) => stores.find((s) => s.id === id)?.name ?? (id === '-' ? '未指定' : `门店 ${id.slice(-6)}`);

  return (
    <View className='page funnel-page'>
      <Text className='title'>活动漏斗</Text>
      <StatusView loading={(loading && !me) || (!!campaignId && !report && !loadError && !error)} error={error ?? loadError} />
      {campaigns && campaigns.length > 1 && (
        <View className='section'>
          {campaigns.map((c) => (
            <Text key={c.id} className={`tag funnel-campaign ${c.id === campaignId ? 'tag-on' : ''}`} onClick={() => setCampaignId(c.id)}>
              {c.name}
            </Text>
          ))}
        </View>
      )}
      {campaigns?.length === 0 && (
        <View className='section'>
          <Text className='muted'>还没有活动</Text>
        </View>
      )}
      {report && (
        <>
          <View className='section funnel-totals'>
            <Text className='section-title'>{campaigns?.find((c) => c.id === report.campaignId)?.name ?? '活动'}</Text>
            <View className='stat-grid'>
              <Stat className='stat-issued' label='已发放 Issued' value={`${report.issued}/${report.stock}`} />
              <Stat className='stat-claimed' label='已领取 Claimed' value={report.claimed} />
              <Stat className='stat-gifted' label='转赠 Gifted' value={report.gifted} />
              <Stat className='stat-redeemed' label='已核销 Redeemed' value={report.redeemed} />
            </View>
            <Text className='muted funnel-rate'>核销率 Redemption rate {percent(report.redemptionRate)}</Text>
          </View>
          <Bars
            className='by-channel'
            title='按渠道 By channel（核销率）'
            bars={report.byChannel.map((row) => ({
              key: row.key,
              label: CHANNEL_LABEL[row.key] ?? row.key,
              value: row.redemptionRate,
              note: `领 ${row.claimed} · 核 ${row.redeemed} · ${percent(row.redemptionRate)}`,
            }))}
          />
          <Bars
            className='by-store'
            title='按门店 By store（核销占比）'
            bars={report.byStore.map((row) => ({
              key: row.key,
              label: storeName(row.key),
              value: row.redeemed,
              note: `核 ${row.redeemed} · ${percent(row.redemptionRate)}`,
            }))}
          />
          <Bars
            className='by-clerk'
            title='按店员 By clerk（核销数）'
            bars={report.byClerk.map((row) => ({
              key: `${row.storeId}-${row.staffId}`,
              label: `店员 ${row.staffId.slice(-6)} · ${storeName(row.storeId)}`,
              value: row.redeemed,
              note: `核 ${row.redeemed}${row.flagged ? ` · 远超门店均值 ${row.storeAverage.toFixed(1)}` : ''}`,
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
