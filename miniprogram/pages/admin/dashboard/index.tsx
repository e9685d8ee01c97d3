import { Picker, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useMemo, useState } from 'react';
import type { DashboardReport, MoneyRow } from '@shared/api/analytics';
import { isMessageKey } from '@shared/i18n';
import { BarList, LineChart, type LineSeries } from '../../../components/Chart';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle, type MessageKey } from '../../../i18n';
import { API_BASE, errorMessage } from '../../../services/api';
import { analyticsApi, api, hasRole, type Store } from '../../../services/loopline';
import { readSession } from '../../../services/session';
import { useMe } from '../../../services/useMe';

const DAY = 86_400_000;
/** A day in Asia/Shanghai, `YYYY-MM-DD`. */
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const today = () => shanghaiDay(Date.now());
const daysBack = (n: number) => shanghaiDay(Date.now() - (n - 1) * DAY);

const percent = (share: number | null | undefined) =>
  share === null || share === undefined ? t('dashboard.none') : `${Math.round(share * 1000) / 10}%`;
const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
const duration = (ms: number | null) =>
  ms === null
    ? t('dashboard.none')
    : ms >= 3_600_000
      ? t('dashboard.hours', { hours: (ms / 3_600_000).toFixed(1) })
      : t('dashboard.minutes', { minutes: Math.round(ms / 60_000) });
/** A dictionary word for a key the server sends, or the key itself when there is none. */
const word = (k: string, fallback: string) => (isMessageKey(k) ? t(k as MessageKey) : fallback);
const channelLabel = (key: string) => word(`dashboard.channel.${key}`, key);
const claimChannelLabel = (key: string) => word(`funnel.channel.${key}`, key);
const typeLabel = (key: string) => word(`ticket.type.${key}`, key);
const tierLabel = (key: string) => word(`tier.${key}`, key);
const LAST: Array<[number, MessageKey]> = [
  [7, 'dashboard.last7'],
  [30, 'dashboard.last30'],
  [90, 'dashboard.last90'],
];

/** The brand's numbers over a date range: admins every store or one, managers their own store. */
export default function DashboardPage() {
  usePageTitle('dashboard.title');
  const { me, loading, error } = useMe(['admin', 'manager']);
  const isAdmin = hasRole(me, 'admin');
  const [from, setFrom] = useState(daysBack(30));
  const [to, setTo] = useState(today());
  const [storeId, setStoreId] = useState<string>();
  const [stores, setStores] = useState<Store[]>([]);
  const [report, setReport] = useState<DashboardReport>();
  const [loadError, setLoadError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    if (!me || error || !isAdmin) return;
    api
      .stores()
      .then((page) => setStores(page.items))
      .catch(() => setStores([]));
  }, [me, error, isAdmin]);

  useEffect(() => {
    if (!me || error) return;
    setReport(undefined);
    analyticsApi
      .dashboard({ from, to, storeId })
      .then((r) => {
        setReport(r);
        setLoadError(undefined);
      })
      .catch((err) => setLoadError(errorMessage(err)));
  }, [me, error, from, to, storeId]);

  const storeName = (id: string) => stores.find((s) => s.id === id)?.name ?? id.slice(-6);

  const download = async () => {
    const path = analyticsApi.csvPath({ from, to, storeId });
    const session = readSession();
    const res = await Taro.request<string>({
      url: API_BASE + path,
      method: 'GET',
      header: session ? { Authorization: `Bearer ${session.token}` } : {},
      dataType: 'text',
      responseType: 'text',
    });
    if (res.statusCode !== 200) {
      setLoadError(errorMessage(new Error(String(res.statusCode))));
      return;
    }
    const csv = String(res.data);
    if (process.env.TARO_ENV === 'h5') {
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `loopline-dashboard-${from}-${to}${report?.storeId ? `-${report.storeId}` : ''}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setNotice(t('dashboard.downloaded'));
    } else {
      // The mini-program cannot save a CSV file for the user: it goes to the clipboard instead.
      await Taro.setClipboardData({ data: csv.replace(/^\ufeff/, '') });
      setNotice(t('dashboard.copied'));
    }
  };

  const labels = useMemo(() => report?.series.map((d) => d.day) ?? [], [report]);
  const line = (entries: Array<[MessageKey, string, (d: DashboardReport['series'][number]) => number | null]>): LineSeries[] =>
    entries.map(([key, color, value]) => ({ name: t(key), color, values: report?.series.map(value) ?? [] }));
  const moneyBars = (rows: MoneyRow[], name: (row: MoneyRow) => string, dyn: boolean) =>
    rows.map((row) => ({
      key: row.key,
      label: name(row),
      dyn,
      value: row.salesFen,
      note: t('dashboard.moneyNote', { sales: yuan(row.salesFen), cost: yuan(row.costFen), redeemed: row.redeemed }),
    }));

  const storeView = Boolean(report?.storeId);
  return (
    <View className='page dashboard-page'>
      <Text className='title'>{t('dashboard.title')}</Text>
      <View className='section range'>
        <View className='range-row'>
          <Picker mode='date' value={from} end={to} onChange={(e) => setFrom(String(e.detail.value))}>
            <Text className='range-date range-from'>{`${t('dashboard.from')} ${from}`}</Text>
          </Picker>
          <Picker mode='date' value={to} start={from} end={today()} onChange={(e) => setTo(String(e.detail.value))}>
            <Text className='range-date range-to'>{`${t('dashboard.to')} ${to}`}</Text>
          </Picker>
        </View>
        <View className='range-row'>
          {LAST.map(([n, key]) => (
            <Text
              key={n}
              className={`tag range-last${n} ${from === daysBack(n) && to === today() ? 'tag-on' : ''}`}
              onClick={() => {
                setFrom(daysBack(n));
                setTo(today());
              }}
            >
              {t(key)}
            </Text>
          ))}
        </View>
        {isAdmin && stores.length > 0 && (
          <View className='range-row'>
            <Text className={`tag store-all ${!storeId ? 'tag-on' : ''}`} onClick={() => setStoreId(undefined)}>
              {t('dashboard.allStores')}
            </Text>
            {stores.map((s) => (
              <Text key={s.id} className={`tag store-choice dyn ${storeId === s.id ? 'tag-on' : ''}`} onClick={() => setStoreId(s.id)}>
                {s.name}
              </Text>
            ))}
          </View>
        )}
        <View className='download-row'>
          <Text
            className={`mini-btn mini-btn-primary download-csv ${report ? '' : 'download-off'}`}
            onClick={() => report && void download()}
          >
            {t('dashboard.download')}
          </Text>
          {notice && <Text className='muted csv-notice'>{notice}</Text>}
        </View>
      </View>
      <StatusView loading={(loading && !me) || (!report && !loadError && !error)} error={error ?? loadError} />
      {report && (
        <>
          {report.rolledThrough && <Text className='muted live-note'>{t('dashboard.live', { day: report.rolledThrough })}</Text>}
          {storeView && <Text className='muted store-note'>{t('dashboard.storeOnly')}</Text>}

          <View className='section interactions'>
            <Text className='section-title'>{t('dashboard.interactions')}</Text>
            <View className='stat-grid'>
              {!storeView && (
                <Stat className='stat-messages-in' label={t('dashboard.messagesIn')} value={report.interactions.messagesIn ?? 0} />
              )}
              {!storeView && (
                <Stat className='stat-replies-bot' label={t('dashboard.repliesBot')} value={report.interactions.repliesBot ?? 0} />
              )}
              <Stat className='stat-follows' label={t('dashboard.follows')} value={report.interactions.follows} />
              <Stat className='stat-unfollows' label={t('dashboard.unfollows')} value={report.interactions.unfollows} />
            </View>
            {!storeView && (
              <Text className='muted within5s'>
                {t('dashboard.within5s', { share: percent(report.interactions.answeredWithin5s?.share) })}
              </Text>
            )}
            {!storeView && (
              <LineChart
                className='chart-messages'
                labels={labels}
                series={line([
                  ['dashboard.messagesIn', '#0f766e', (d) => d.messagesIn],
                  ['dashboard.repliesBot', '#2563eb', (d) => d.repliesBot],
                  ['dashboard.repliesStaff', '#d97706', (d) => d.repliesStaff],
                ])}
              />
            )}
            <LineChart
              className='chart-follows'
              labels={labels}
              series={line([
                ['dashboard.follows', '#0f766e', (d) => d.follows],
                ['dashboard.unfollows', '#dc2626', (d) => d.unfollows],
              ])}
            />
            <Text className='section-subtitle'>{t('dashboard.followsByChannel')}</Text>
            <BarList
              className='follows-by-channel'
              empty={t('common.noData')}
              bars={report.interactions.followsByChannel.map((c) => ({ key: c.key, label: channelLabel(c.key), value: c.count }))}
            />
            <Text className='section-subtitle'>{t('dashboard.acquiredByChannel')}</Text>
            <BarList
              className='acquired-by-channel'
              empty={t('common.noData')}
              bars={report.interactions.acquiredByChannel.map((c) => ({ key: c.key, label: channelLabel(c.key), value: c.count }))}
            />
          </View>

          {!storeView && (
            <View className='section members'>
              <Text className='section-title'>{t('dashboard.members')}</Text>
              <View className='stat-grid'>
                <Stat className='stat-joins' label={t('dashboard.joins')} value={report.members.joins ?? 0} />
                <Stat className='stat-active30' label={t('dashboard.active30')} value={report.members.active30 ?? t('dashboard.none')} />
                <Stat className='stat-repeat' label={t('dashboard.repeat')} value={report.members.repeatCustomers ?? t('dashboard.none')} />
              </View>
              <LineChart
                className='chart-members'
                labels={labels}
                series={line([
                  ['dashboard.joins', '#2563eb', (d) => d.joins],
                  ['dashboard.active30', '#0f766e', (d) => d.active30],
                ])}
              />
              {report.members.tierMix && (
                <>
                  <Text className='section-subtitle'>{t('dashboard.tierMix', { day: report.members.asOf ?? '' })}</Text>
                  <BarList
                    className='tier-mix'
                    empty={t('common.noData')}
                    bars={report.members.tierMix.map((c) => ({ key: c.key, label: tierLabel(c.key), value: c.count }))}
                  />
                </>
              )}
              {report.members.cohorts && report.members.cohorts.length > 0 && (
                <>
                  <Text className='section-subtitle'>{t('dashboard.cohorts')}</Text>
                  {report.members.cohorts.map((c) => (
                    <View key={c.joinMonth} className='cohort'>
                      <Text className='cohort-row'>{t('dashboard.cohortRow', { month: c.joinMonth, size: c.size })}</Text>
                      <Text className='muted cohort-cells'>
                        {c.retention.map((r) => t('dashboard.cohortCell', { month: r.month, share: percent(r.share) })).join(' · ')}
                      </Text>
                    </View>
                  ))}
                </>
              )}
            </View>
          )}

          <View className='section coupons'>
            <Text className='section-title'>{t('dashboard.coupons')}</Text>
            <View className='stat-grid'>
              {!storeView && <Stat className='stat-claimed' label={t('dashboard.claimed')} value={report.coupons.claimed ?? 0} />}
              {!storeView && <Stat className='stat-gifted' label={t('dashboard.gifted')} value={report.coupons.gifted ?? 0} />}
              <Stat className='stat-redeemed' label={t('dashboard.redeemed')} value={report.coupons.redeemed} />
              <Stat className='stat-sales' label={t('dashboard.sales')} value={yuan(report.coupons.salesFen)} />
              <Stat className='stat-cost' label={t('dashboard.cost')} value={yuan(report.coupons.costFen)} />
            </View>
            <Text className='muted coupon-rates'>
              {[
                ...(storeView ? [] : [t('dashboard.rate', { rate: percent(report.coupons.redemptionRate) })]),
                t('dashboard.salesPerCost', { ratio: report.coupons.salesPerCost ?? t('dashboard.none') }),
              ].join(' · ')}
            </Text>
            <Text className={`muted flagged ${report.coupons.flagged ? '' : 'flagged-none'}`}>
              {report.coupons.flagged ? t('dashboard.flagged', report.coupons.flagged) : t('dashboard.flaggedNone')}
            </Text>
            <LineChart
              className='chart-coupons'
              labels={labels}
              series={line(
                storeView
                  ? [['dashboard.redeemed', '#d97706', (d) => d.redeemed]]
                  : [
                      ['dashboard.claimed', '#2563eb', (d) => d.claimed],
                      ['dashboard.gifted', '#7c3aed', (d) => d.gifted],
                      ['dashboard.redeemed', '#d97706', (d) => d.redeemed],
                    ],
              )}
            />
            <LineChart
              className='chart-money'
              labels={labels}
              series={line([
                ['dashboard.sales', '#0f766e', (d) => d.salesFen / 100],
                ['dashboard.cost', '#dc2626', (d) => d.costFen / 100],
              ])}
            />
            <Text className='section-subtitle'>{t('dashboard.byCampaign')}</Text>
            <BarList
              className='by-campaign'
              empty={t('common.noData')}
              bars={moneyBars(report.coupons.byCampaign, (r) => r.label ?? r.key.slice(-6), true)}
            />
            <Text className='section-subtitle'>{t('dashboard.byChannel')}</Text>
            <BarList
              className='by-channel'
              empty={t('common.noData')}
              bars={moneyBars(report.coupons.byChannel, (r) => claimChannelLabel(r.key), false)}
            />
            <Text className='section-subtitle'>{t('dashboard.byStore')}</Text>
            <BarList
              className='by-store'
              empty={t('common.noData')}
              bars={moneyBars(report.coupons.byStore, (r) => storeName(r.key), true)}
            />
          </View>

          <View className='section service'>
            <Text className='section-title'>{t('dashboard.service')}</Text>
            <View className='stat-grid'>
              <Stat className='stat-opened' label={t('dashboard.opened')} value={report.service.opened} />
            </View>
            <Text className='muted first-response'>
              {t('dashboard.firstResponse', {
                time: duration(report.service.firstResponse.averageMs),
                breached: report.service.firstResponse.breached,
              })}
            </Text>
            <Text className='muted resolution'>
              {t('dashboard.resolution', {
                time: duration(report.service.resolution.averageMs),
                breached: report.service.resolution.breached,
              })}
            </Text>
            <Text className='muted breached-share'>{t('dashboard.breachedShare', { share: percent(report.service.breachedShare) })}</Text>
            <Text className='muted complaints'>
              {t('dashboard.complaints', {
                count: report.service.complaints.fromOfficialAccount,
                escalated: report.service.complaints.escalated,
                time: duration(report.service.complaints.firstHumanAnswer.averageMs),
              })}
            </Text>
            <LineChart className='chart-tickets' labels={labels} series={line([['dashboard.opened', '#2563eb', (d) => d.ticketsOpened]])} />
            <BarList
              className='opened-by-type'
              empty={t('common.noData')}
              bars={report.service.openedByType.map((c) => ({ key: c.key, label: typeLabel(c.key), value: c.count }))}
            />
            <Text className='section-subtitle'>
              {t('dashboard.csat', { average: report.service.csat.average ?? t('dashboard.none'), count: report.service.csat.count })}
            </Text>
            <BarList
              className='csat'
              empty={t('common.noData')}
              bars={report.service.csat.distribution.map((c) => ({
                key: c.key,
                label: t('dashboard.stars', { stars: c.key }),
                value: c.count,
              }))}
            />
          </View>

          <View className='section rules'>
            <Text className='section-title'>{t('dashboard.rules')}</Text>
            <Text className='rule rule-redemption'>{t('dashboard.rule.redemption')}</Text>
            <Text className='rule rule-acquisition'>{t('dashboard.rule.acquisition')}</Text>
            <Text className='rule rule-days'>{t('dashboard.rule.days')}</Text>
          </View>
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
