import { Button, Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { CONTACT_PREFERENCES, TICKET_TYPES, type ContactPreference, type TicketType } from '@shared/tickets';
import { FormField } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import '../../../components/tickets.scss';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage } from '../../../services/api';
import { tickets, uploadTicketPhoto, type AftersaleStore } from '../../../services/tickets';
import { toast, useMe } from '../../../services/useMe';

const MAX_PHOTOS = 6;

export default function NewTicketPage() {
  usePageTitle('newTicket.title');
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
      const chosen = await Taro.chooseImage({
        count: MAX_PHOTOS - photos.length,
        sizeType: ['compressed'],
        sourceType: ['album', 'camera'],
      });
      setPhotos((current) => [...current, ...chosen.tempFilePaths].slice(0, MAX_PHOTOS));
    } catch {
      // nothing chosen
    }
  };

  const submit = async () => {
    setFormError(undefined);
    if (!storeId) return setFormError(t('newTicket.needStore'));
    if (!description.trim()) return setFormError(t('newTicket.needDescription'));
    if (contact === 'phone' && !phone.trim()) return setFormError(t('newTicket.needPhone'));
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
          console.warn(`[aftersale] photo not uploaded: ${errorMessage(err)}`);
        }
      }
      toast(failed ? t('newTicket.photoFailed', { count: failed }) : t('newTicket.submitted'), failed ? 'none' : 'success');
      void Taro.redirectTo({ url: `/pages/aftersale/detail/index?id=${ticket.id}` });
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page new-ticket-page'>
      <Text className='title'>{t('newTicket.title')}</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && (
        <>
          <View className='section'>
            <View className='field field-type'>
              <Text className='field-label'>{t('newTicket.type')}</Text>
              <View className='choice-list'>
                {TICKET_TYPES.map((kind) => (
                  <Text
                    key={kind}
                    className={`choice choice-type-${kind} ${kind === type ? 'choice-on' : ''}`}
                    onClick={() => setType(kind)}
                  >
                    {t(`ticket.type.${kind}`)}
                  </Text>
                ))}
              </View>
            </View>
            <View className='field field-store'>
              <Text className='field-label'>{t('newTicket.store')}</Text>
              {!stores && <Text className='muted'>{t('common.loading')}</Text>}
              {stores?.length === 0 && <Text className='muted'>{t('newTicket.noStores')}</Text>}
              <View className='choice-list'>
                {stores?.map((s) => (
                  <Text
                    key={s.id}
                    className={`choice choice-store dyn ${s.id === storeId ? 'choice-on' : ''}`}
                    onClick={() => setStoreId(s.id)}
                  >
                    {s.name}
                  </Text>
                ))}
              </View>
            </View>
            <FormField
              name='order'
              label={t('newTicket.orderRef')}
              value={orderRef}
              maxlength={64}
              placeholder={t('newTicket.orderRefPlaceholder')}
              onInput={setOrderRef}
            />
            <FormField
              name='description'
              label={t('newTicket.description')}
              value={description}
              multiline
              placeholder={t('newTicket.descriptionPlaceholder')}
              onInput={setDescription}
            />
            <View className='field field-contact'>
              <Text className='field-label'>{t('newTicket.contact')}</Text>
              <View className='choice-list'>
                {CONTACT_PREFERENCES.map((c) => (
                  <Text key={c} className={`choice choice-contact-${c} ${c === contact ? 'choice-on' : ''}`} onClick={() => setContact(c)}>
                    {t(`ticket.contact.${c}`)}
                  </Text>
                ))}
              </View>
            </View>
            {contact === 'phone' && <FormField name='phone' label={t('newTicket.phone')} type='number' value={phone} onInput={setPhone} />}
            <View className='field field-photos'>
              <Text className='field-label'>{t('newTicket.photos', { max: MAX_PHOTOS })}</Text>
              <View className='photo-grid'>
                {photos.map((p) => (
                  <View key={p} className='photo-cell chosen-photo' onClick={() => setPhotos((all) => all.filter((x) => x !== p))}>
                    <Image className='photo-image' src={p} mode='aspectFill' />
                  </View>
                ))}
                {photos.length < MAX_PHOTOS && (
                  <View className='photo-add' onClick={addPhotos}>
                    <Text className='photo-add-plus'>+</Text>
                    <Text>{t('newTicket.addPhoto')}</Text>
                  </View>
                )}
              </View>
            </View>
          </View>
          {formError && <Text className='error-text ticket-form-error'>{formError}</Text>}
          <Button className='btn btn-primary ticket-submit' disabled={busy} loading={busy} onClick={submit}>
            {t('newTicket.submit')}
          </Button>
        </>
      )}
    </View>
  );
}
