import { Button, Input, Text, View } from '@tarojs/components';
import { useState } from 'react';
import { StatusView } from '../../../components/StatusView';
import { errorMessage } from '../../../services/api';
import { api } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { useMe } from '../../../services/useMe';

export default function StoresPage() {
  const { me, loading, error } = useMe(['admin']);
  const [name, setName] = useState('');
  const [city, setCity] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();

  const [stores, refresh] = useLoadedList(Boolean(me && !error), () => api.stores(), setFormError);

  const create = async () => {
    setBusy(true);
    setFormError(undefined);
    try {
      await api.createStore({ name: name.trim(), code: code.trim(), city: city.trim(), address: '' });
      setName('');
      setCode('');
      setCity('');
      await refresh();
    } catch (err) {
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page stores-page'>
      <Text className='title'>门店 Stores</Text>
      <StatusView loading={loading && !me} error={error} />
      {me && !error && (
        <>
          <View className='section'>
            <Text className='section-title'>新建门店 New store</Text>
            <View className='field field-store-name'>
              <Text className='field-label'>名称 Name</Text>
              <Input className='field-input' value={name} placeholder='例如 静安嘉里店' onInput={(e) => setName(e.detail.value)} />
            </View>
            <View className='field field-store-code'>
              <Text className='field-label'>门店编码 Code</Text>
              <Input className='field-input' value={code} placeholder='SH-001' maxlength={20} onInput={(e) => setCode(e.detail.value)} />
            </View>
            <View className='field field-store-city'>
              <Text className='field-label'>城市 City</Text>
              <Input className='field-input' value={city} placeholder='上海' onInput={(e) => setCity(e.detail.value)} />
            </View>
            <Button className='btn btn-primary store-create' disabled={busy || !name.trim() || !code.trim()} onClick={create}>
              创建 Create
            </Button>
            {formError && <Text className='error-text stores-error'>{formError}</Text>}
          </View>
          <View className='section store-list'>
            <Text className='section-title'>全部门店</Text>
            {stores?.length === 0 && <Text className='muted'>还没有门店</Text>}
            {stores?.map((store) => (
              <View key={store.id} className='row store-row'>
                <View>
                  <Text className='store-name'>{store.name}</Text>
                  <View>
                    <Text className='muted'>{store.city}</Text>
                  </View>
                </View>
                <Text className='tag store-code'>{store.code}</Text>
              </View>
            ))}
          </View>
        </>
      )}
    </View>
  );
}
