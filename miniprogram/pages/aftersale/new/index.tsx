import { Button, Image, Input, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CONTACT_PREFERENCES, TICKET_TYPES, TYPE_LABELS, type ContactPreference, type TicketType } from '@shared/tickets';
import { StatusView } from '../../../components/StatusView';
import '../../../components/tickets.scss';
import { errorMessage } from '../../../services/api';
import { tickets, uploadTicketPhoto, type AftersaleStore } from '../../../services/tickets';
import { useMe } from '../../../services/useMe';

const MAX_PHOTOS = 6;
const CONTACT_LABELS: Record<ContactPreference, string> = { wechat: '微信消息', phone: '电话', none: '无需联系' };

export default function NewTicketPage() {
  const { me, loading, error } = useMe();
  const [stores, setStores] = useState<AftersaleStore[]>();
  const [type, setType] = useState<TicketType>('repair');
  const [storeId, setStoreId] = useState<string>();
  const [orderRef, setOrderRef] = useState('');
  const [description, setDescription] = useState('');
  const [contact, setContact] = useState<ContactPreference>('wechat');
  const [phone, setPhone] = useState('');
  const [photos, setPhotos] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();

  useEffect(() => {
    tickets
      .stores()
      .then((res) => {
        setStores(res.items);
        if (res.items.length === 1) setStoreId(res.items[0]!.id);
      })
      .catch((err) => setFormError(errorMessage(err)));
  }, []);

  const addPhotos = async () => {
    try {
      const chosen = await Taro.chooseImage({ count: MAX_PHOTOS - photos.length, sizeType: ['compressed'], sourceType: ['album', 'camera'] });
      setPhotos((current) => [...current, ...chosen.tempFilePaths].slice(0, MAX_PHOTOS));
    } catch {
      // nothing chosen
    }
  };

  const submit = async () => {
    setFormError(undefined);
    if (!storeId) return setFormError('请选择门店 Choose a store');
    if (!description.trim()) return setFormError('请描述问题 Describe the problem');
    if (contact === 'phone' && !phone.trim()) return setFormError('请填写手机号 Phone number needed');
    setBusy(true);
    try {
      const ticket = await tickets.create({
        storeId,
        type,
        description: description.trim(),
        ...(orderRef.trim() ? { orderRef: orderRef.trim() } : {}),
        contact: { preference: contact, ...(contact === 'phone' ? { phone: phone.trim() } : {}) },
      });
      let failed = 0;
      for (const path of photos) {
        try {
          await uploadTicketPhoto(ticket.id, path);
        } catch (err) {
          failed += 1;
          void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
        }
      }
      if (failed) console.warn(`[aftersale] ${failed} photo(s) not uploaded`);
      void Taro.redirectTo({ url: `/pages/aftersale/detail/index?id=${ticket.id}` });
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page new-ticket-page'>
      <Text className='title'>申请售后</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && (
        <>
          <View className='section'>
            <View className='field field-type'>
              <Text className='field-label'>类型 Type</Text>
              <View className='choice-list'>
                {TICKET_TYPES.map((t) => (
                  <Text key={t} className={`choice choice-type-${t} ${t === type ? 'choice-on' : ''}`} onClick={() => setType(t)}>
                    {TYPE_LABELS[t].zh}
                  </Text>
                ))}
              </View>
            </View>
            <View className='field field-store'>
              <Text className='field-label'>门店 Store</Text>
              {!stores && <Text className='muted'>加载中…</Text>}
              {stores?.length === 0 && <Text className='muted'>暂无可选门店</Text>}
              <View className='choice-list'>
                {stores?.map((s) => (
                  <Text key={s.id} className={`choice choice-store ${s.id === storeId ? 'choice-on' : ''}`} onClick={() => setStoreId(s.id)}>
                    {s.name}
                  </Text>
                ))}
              </View>
            </View>
            <View className='field field-order'>
              <Text className='field-label'>订单号（选填）Order number</Text>
              <Input className='field-input' value={orderRef} maxlength={64} placeholder='如 SO-1001' onInput={(e) => setOrderRef(e.detail.value)} />
            </View>
            <View className='field field-description'>
              <Text className='field-label'>问题描述 Description</Text>
              <Textarea
                className='field-textarea'
                value={description}
                maxlength={2000}
                placeholder='请描述遇到的问题'
                onInput={(e) => setDescription(e.detail.value)}
              />
            </View>
            <View className='field field-contact'>
              <Text className='field-label'>联系方式 Contact</Text>
              <View className='choice-list'>
                {CONTACT_PREFERENCES.map((c) => (
                  <Text key={c} className={`choice choice-contact-${c} ${c === contact ? 'choice-on' : ''}`} onClick={() => setContact(c)}>
                    {CONTACT_LABELS[c]}
                  </Text>
                ))}
              </View>
            </View>
            {contact === 'phone' && (
              <View className='field field-phone'>
                <Text className='field-label'>手机号 Phone</Text>
                <Input className='field-input' type='number' value={phone} onInput={(e) => setPhone(e.detail.value)} />
              </View>
            )}
            <View className='field field-photos'>
              <Text className='field-label'>
                照片（最多 {MAX_PHOTOS} 张，每张 ≤ 2 MB）Photos
              </Text>
              <View className='photo-grid'>
                {photos.map((p) => (
                  <View key={p} className='photo-cell chosen-photo' onClick={() => setPhotos((all) => all.filter((x) => x !== p))}>
                    <Image className='photo-image' src={p} mode='aspectFill' />
                  </View>
                ))}
                {photos.length < MAX_PHOTOS && (
                  <View className='photo-add' onClick={addPhotos}>
                    <Text className='photo-add-plus'>+</Text>
                    <Text>添加照片</Text>
                  </View>
                )}
              </View>
            </View>
          </View>
          {formError && <Text className='error-text ticket-form-error'>{formError}</Text>}
          <Button className='btn btn-primary ticket-submit' disabled={busy} loading={busy} onClick={submit}>
            提交 Submit
          </Button>
        </>
      )}
    </View>
  );
}
