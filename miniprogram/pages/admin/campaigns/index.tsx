import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage, showError } from '../../../services/api';
import { campaignValidity, couponFace, couponTerms } from '../../../services/couponFormat';
import { couponApi, type Campaign } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { go, useMe } from '../../../services/useMe';
import type { CampaignType, ClaimChannel, CreateCampaignInput } from '@shared/coupons';
import { TIERS, type TierId } from '@shared/tiers';

const TYPES: Array<{ key: CampaignType; label: string }> = [
  { key: 'cash', label: '代金券 Cash' },
  { key: 'discount', label: '折扣券 Discount' },
  { key: 'gift', label: '礼品券 Gift' },
];

const CHANNELS: Array<{ key: ClaimChannel; label: string }> = [
  { key: 'mini_program', label: '领券中心' },
  { key: 'points', label: '积分兑换' },
  { key: 'birthday', label: '生日礼' },
];

const STATUS_LABEL: Record<Campaign['status'], string> = { draft: '草稿', active: '进行中', paused: '已暂停', ended: '已结束' };

const toFen = (yuanText: string) => (yuanText.trim() ? Math.round(Number(yuanText) * 100) : undefined);
const toInt = (text: string) => (text.trim() ? Number(text) : Number.NaN);

export default function CampaignsPage() {
  const { me, loading, error } = useMe(['admin']);
  const [type, setType] = useState<CampaignType>('cash');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [threshold, setThreshold] = useState('');
  const [percentOff, setPercentOff] = useState('');
  const [giftName, setGiftName] = useState('');
  const [stock, setStock] = useState('100');
  const [perUser, setPerUser] = useState('1');
  const [days, setDays] = useState('30');
  const [channel, setChannel] = useState<ClaimChannel>('mini_program');
  const [pointsPrice, setPointsPrice] = useState('');
  const [tiers, setTiers] = useState<TierId[]>([]);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [raise, setRaise] = useState<Record<string, string>>({});

  const [campaigns, refresh, setCampaigns] = useLoadedList(Boolean(me && !error), () => couponApi.campaigns(), setFormError);

  const create = async () => {
    setBusy(true);
    setFormError(undefined);
    const input: CreateCampaignInput = {
      name: name.trim(),
      type,
      stock: toInt(stock),
      perUserLimit: toInt(perUser),
      validity: { kind: 'days', days: toInt(days) },
      ...(type === 'cash' ? { valueFen: toFen(value) } : {}),
      ...(type === 'discount' ? { percentOff: toInt(percentOff) } : {}),
      ...(type === 'gift' ? { giftName: giftName.trim() } : {}),
      ...(toFen(threshold) ? { thresholdFen: toFen(threshold) } : {}),
      channels: [channel],
      ...(channel === 'points' ? { pointsPrice: toInt(pointsPrice) } : {}),
      tiers,
    };
    try {
      await couponApi.createCampaign(input);
      setName('');
      setValue('');
      setThreshold('');
      setPercentOff('');
      setGiftName('');
      await refresh();
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const update = async (campaign: Campaign, change: { status?: Campaign['status']; stock?: number }) => {
    try {
      const updated = await couponApi.updateCampaign(campaign.id, change);
      setCampaigns((all) => all?.map((c) => (c.id === updated.id ? updated : c)));
      setRaise((all) => ({ ...all, [campaign.id]: '' }));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <View className='page campaigns-page'>
      <Text className='title'>优惠券活动</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <>
          <View className='section campaign-form'>
            <Text className='section-title'>新建活动 New campaign</Text>
            <View className='field'>
              <Text className='field-label'>类型 Type</Text>
              <View>
                {TYPES.map((t) => (
                  <Text key={t.key} className={`tag type-${t.key} ${type === t.key ? 'tag-on' : ''}`} onClick={() => setType(t.key)}>
                    {t.label}
                  </Text>
                ))}
              </View>
            </View>
            <View className='field field-campaign-name'>
              <Text className='field-label'>名称 Name</Text>
              <Input className='field-input' value={name} placeholder='例如 新客立减 20 元' onInput={(e) => setName(e.detail.value)} />
            </View>
            {type === 'cash' && (
              <View className='field field-campaign-value'>
                <Text className='field-label'>面额（元） Value</Text>
                <Input className='field-input' type='digit' value={value} placeholder='20' onInput={(e) => setValue(e.detail.value)} />
              </View>
            )}
            {type === 'discount' && (
              <View className='field field-campaign-percent'>
                <Text className='field-label'>减免百分比 Percent off (15 = 85折)</Text>
                <Input className='field-input' type='number' value={percentOff} placeholder='15' onInput={(e) => setPercentOff(e.detail.value)} />
              </View>
            )}
            {type === 'gift' && (
              <View className='field field-campaign-gift'>
                <Text className='field-label'>礼品 Gift</Text>
                <Input className='field-input' value={giftName} placeholder='例如 帆布袋' onInput={(e) => setGiftName(e.detail.value)} />
              </View>
            )}
            <View className='field field-campaign-threshold'>
              <Text className='field-label'>使用门槛（元，可空） Minimum spend</Text>
              <Input className='field-input' type='digit' value={threshold} placeholder='无门槛' onInput={(e) => setThreshold(e.detail.value)} />
            </View>
            <View className='field-grid'>
              <View className='field field-campaign-stock'>
                <Text className='field-label'>库存</Text>
                <Input className='field-input' type='number' value={stock} onInput={(e) => setStock(e.detail.value)} />
              </View>
              <View className='field field-campaign-limit'>
                <Text className='field-label'>每人限领</Text>
                <Input className='field-input' type='number' value={perUser} onInput={(e) => setPerUser(e.detail.value)} />
              </View>
              <View className='field field-campaign-days'>
                <Text className='field-label'>有效天数</Text>
                <Input className='field-input' type='number' value={days} onInput={(e) => setDays(e.detail.value)} />
              </View>
            </View>
            <View className='field field-campaign-channel'>
              <Text className='field-label'>发放方式</Text>
              <View>
                {CHANNELS.map((c) => (
                  <Text key={c.key} className={`tag channel-${c.key} ${channel === c.key ? 'tag-on' : ''}`} onClick={() => setChannel(c.key)}>
                    {c.label}
                  </Text>
                ))}
              </View>
            </View>
            {channel === 'points' && (
              <View className='field field-campaign-points'>
                <Text className='field-label'>所需积分</Text>
                <Input className='field-input' type='number' value={pointsPrice} placeholder='200' onInput={(e) => setPointsPrice(e.detail.value)} />
              </View>
            )}
            <View className='field field-campaign-tiers'>
              <Text className='field-label'>限会员等级（不选为全部）</Text>
              <View>
                {TIERS.map((t) => (
                  <Text
                    key={t.id}
                    className={`tag tier-${t.id} ${tiers.includes(t.id) ? 'tag-on' : ''}`}
                    onClick={() => setTiers((all) => (all.includes(t.id) ? all.filter((x) => x !== t.id) : [...all, t.id]))}
                  >
                    {t.name}
                  </Text>
                ))}
              </View>
            </View>
            <Button className='btn btn-primary campaign-create' disabled={busy || !name.trim()} onClick={create}>
              创建并上线 Create
            </Button>
            {formError && <Text className='error-text campaign-error'>{formError}</Text>}
          </View>

          <View className='section campaign-list'>
            <Text className='section-title'>全部活动</Text>
            {campaigns?.length === 0 && <Text className='muted'>还没有活动</Text>}
            {campaigns?.map((c) => (
              <View key={c.id} className='campaign-row'>
                <View className='row'>
                  <View>
                    <Text className='campaign-name'>{c.name}</Text>
                    <View>
                      <Text className='muted'>
                        {couponFace(c)} · {couponTerms(c)} · {campaignValidity(c)}
                      </Text>
                    </View>
                  </View>
                  <Text className={`tag campaign-status status-${c.status}`}>{STATUS_LABEL[c.status]}</Text>
                </View>
                <Text className='muted campaign-stock'>
                  已发 {c.issued} / 库存 {c.stock}（剩余 {c.remaining}）
                </Text>
                <View className='campaign-actions'>
                  {c.status === 'active' && (
                    <Text className='mini-btn campaign-pause' onClick={() => update(c, { status: 'paused' })}>暂停</Text>
                  )}
                  {(c.status === 'paused' || c.status === 'draft') && (
                    <Text className='mini-btn campaign-resume' onClick={() => update(c, { status: 'active' })}>上线</Text>
                  )}
                  <Input
                    className='mini-input campaign-raise-input'
                    type='number'
                    value={raise[c.id] ?? ''}
                    placeholder='新库存'
                    onInput={(e) => setRaise((all) => ({ ...all, [c.id]: e.detail.value }))}
                  />
                  <Text
                    className='mini-btn campaign-raise'
                    onClick={() => raise[c.id]?.trim() && update(c, { stock: toInt(raise[c.id]!) })}
                  >
                    调整库存
                  </Text>
                  <Text className='mini-btn mini-btn-primary campaign-funnel' onClick={() => go(`/pages/admin/funnel/index?campaignId=${c.id}`)}>
                    漏斗 ›
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
