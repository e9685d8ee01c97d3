import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { ChoiceField, FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { showError } from '../../../services/api';
import { campaignValidity, couponFace, couponTerms } from '../../../services/couponFormat';
import { couponApi, type Campaign } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { go, toast, usePullRefresh, useMe } from '../../../services/useMe';
import type { CampaignType, ClaimChannel, CreateCampaignInput } from '@shared/coupons';
import { TIERS, type TierId } from '@shared/tiers';

const TYPES: CampaignType[] = ['cash', 'discount', 'gift'];
const CHANNELS = ['mini_program', 'points', 'birthday'] as const satisfies readonly ClaimChannel[];

const toFen = (yuanText: string) => (yuanText.trim() ? Math.round(Number(yuanText) * 100) : undefined);
const toInt = (text: string) => (text.trim() ? Number(text) : Number.NaN);

export default function CampaignsPage() {
  usePageTitle('campaigns.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const [type, setType] = useState<CampaignType>('cash');
  const [channel, setChannel] = useState<(typeof CHANNELS)[number]>('mini_program');
  const [tiers, setTiers] = useState<TierId[]>([]);
  const form = useCreateForm({
    name: '',
    value: '',
    threshold: '',
    percentOff: '',
    giftName: '',
    pointsPrice: '',
    stock: '100',
    perUser: '1',
    days: '30',
  });
  const [raise, setRaise] = useState<Record<string, string>>({});
  const [campaigns, refresh, setCampaigns] = useLoadedList(Boolean(me && !error), () => couponApi.campaigns(), form.setError);
  usePullRefresh(refresh);
  const v = form.values;

  const create = async () => {
    const input: CreateCampaignInput = {
      name: v.name.trim(),
      type,
      stock: toInt(v.stock),
      perUserLimit: toInt(v.perUser),
      validity: { kind: 'days', days: toInt(v.days) },
      ...(type === 'cash' ? { valueFen: toFen(v.value) } : {}),
      ...(type === 'discount' ? { percentOff: toInt(v.percentOff) } : {}),
      ...(type === 'gift' ? { giftName: v.giftName.trim() } : {}),
      ...(toFen(v.threshold) ? { thresholdFen: toFen(v.threshold) } : {}),
      channels: [channel],
      ...(channel === 'points' ? { pointsPrice: toInt(v.pointsPrice) } : {}),
      tiers,
    };
    if (await form.submit(() => couponApi.createCampaign(input), ['name', 'value', 'threshold', 'percentOff', 'giftName', 'pointsPrice'])) {
      toast(t('admin.created'));
      await refresh();
    }
  };

  const update = async (campaign: Campaign, change: { status?: Campaign['status']; stock?: number }) => {
    try {
      const updated = await couponApi.updateCampaign(campaign.id, change);
      setCampaigns((all) => all?.map((c) => (c.id === updated.id ? updated : c)));
      setRaise((all) => ({ ...all, [campaign.id]: '' }));
      toast(t('campaigns.updated'));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <View className='page campaigns-page'>
      <Text className='title'>{t('campaigns.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {me && !error && (
        <>
          <View className='section campaign-form'>
            <Text className='section-title'>{t('campaigns.new')}</Text>
            <ChoiceField
              label={t('campaigns.type')}
              kind='type'
              options={TYPES}
              chosen={type}
              onChoose={setType}
              word={(key) => t(`campaigns.type.${key}`)}
            />
            <FormField
              name='campaign-name'
              label={t('campaigns.name')}
              placeholder={t('campaigns.namePlaceholder')}
              value={v.name}
              onInput={form.set('name')}
            />
            {type === 'cash' && (
              <FormField
                name='campaign-value'
                label={t('campaigns.value')}
                type='digit'
                placeholder='20'
                value={v.value}
                onInput={form.set('value')}
              />
            )}
            {type === 'discount' && (
              <FormField
                name='campaign-percent'
                label={t('campaigns.percentOff')}
                type='number'
                placeholder='15'
                value={v.percentOff}
                onInput={form.set('percentOff')}
              />
            )}
            {type === 'gift' && (
              <FormField
                name='campaign-gift'
                label={t('campaigns.gift')}
                placeholder={t('campaigns.giftPlaceholder')}
                value={v.giftName}
                onInput={form.set('giftName')}
              />
            )}
            <FormField
              name='campaign-threshold'
              label={t('campaigns.threshold')}
              type='digit'
              placeholder={t('campaigns.thresholdPlaceholder')}
              value={v.threshold}
              onInput={form.set('threshold')}
            />
            <View className='field-grid'>
              <FormField name='campaign-stock' label={t('campaigns.stock')} type='number' value={v.stock} onInput={form.set('stock')} />
              <FormField
                name='campaign-limit'
                label={t('campaigns.perUser')}
                type='number'
                value={v.perUser}
                onInput={form.set('perUser')}
              />
              <FormField name='campaign-days' label={t('campaigns.days')} type='number' value={v.days} onInput={form.set('days')} />
            </View>
            <ChoiceField
              className='field-campaign-channel'
              label={t('campaigns.channel')}
              kind='channel'
              options={CHANNELS}
              chosen={channel}
              onChoose={setChannel}
              word={(key) => t(`campaigns.channel.${key}`)}
            />
            {channel === 'points' && (
              <FormField
                name='campaign-points'
                label={t('campaigns.pointsPrice')}
                type='number'
                placeholder='200'
                value={v.pointsPrice}
                onInput={form.set('pointsPrice')}
              />
            )}
            <View className='field field-campaign-tiers'>
              <Text className='field-label'>{t('campaigns.tiers')}</Text>
              <View>
                {TIERS.map((tier) => (
                  <Text
                    key={tier.id}
                    className={`tag tier-${tier.id} ${tiers.includes(tier.id) ? 'tag-on' : ''}`}
                    onClick={() => setTiers((all) => (all.includes(tier.id) ? all.filter((x) => x !== tier.id) : [...all, tier.id]))}
                  >
                    {t(`tier.${tier.id}`)}
                  </Text>
                ))}
              </View>
            </View>
            <Button className='btn btn-primary campaign-create' disabled={form.busy || !v.name.trim()} onClick={create}>
              {t('campaigns.create')}
            </Button>
            {form.error && <Text className='error-text campaign-error'>{form.error}</Text>}
          </View>

          <View className='section campaign-list'>
            <Text className='section-title'>{t('campaigns.all')}</Text>
            {campaigns?.length === 0 && <Text className='muted empty-campaigns'>{t('campaigns.empty')}</Text>}
            {campaigns?.map((c) => (
              <View key={c.id} className='campaign-row'>
                <View className='row'>
                  <View>
                    <Text className='campaign-name dyn'>{c.name}</Text>
                    <View>
                      <Text className='muted'>{[couponFace(c), couponTerms(c), campaignValidity(c)].join(' · ')}</Text>
                    </View>
                  </View>
                  <Text className={`tag campaign-status status-${c.status}`}>{t(`campaigns.status.${c.status}`)}</Text>
                </View>
                <Text className='muted campaign-stock'>
                  {t('campaigns.stockLine', { issued: c.issued, stock: c.stock, remaining: c.remaining })}
                </Text>
                <View className='campaign-actions'>
                  {c.status === 'active' && (
                    <Text className='mini-btn campaign-pause' onClick={() => update(c, { status: 'paused' })}>
                      {t('campaigns.pause')}
                    </Text>
                  )}
                  {(c.status === 'paused' || c.status === 'draft') && (
                    <Text className='mini-btn campaign-resume' onClick={() => update(c, { status: 'active' })}>
                      {t('campaigns.resume')}
                    </Text>
                  )}
                  <Input
                    className='mini-input campaign-raise-input'
                    type='number'
                    value={raise[c.id] ?? ''}
                    placeholder={t('campaigns.newStock')}
                    onInput={(e) => setRaise((all) => ({ ...all, [c.id]: e.detail.value }))}
                  />
                  <Text
                    className='mini-btn campaign-raise'
                    onClick={() => raise[c.id]?.trim() && update(c, { stock: toInt(raise[c.id]!) })}
                  >
                    {t('campaigns.raise')}
                  </Text>
                  <Text
                    className='mini-btn mini-btn-primary campaign-funnel'
                    onClick={() => go(`/pages/admin/funnel/index?campaignId=${c.id}`)}
                  >
                    {t('campaigns.funnel')}
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
