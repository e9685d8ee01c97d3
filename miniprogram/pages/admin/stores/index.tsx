import { Button, Text, View } from '@tarojs/components';
import { FormField, useCreateForm } from '../../../components/FormField';
import { StatusView } from '../../../components/StatusView';
import { t, usePageTitle } from '../../../i18n';
import { api } from '../../../services/loopline';
import { useLoadedList } from '../../../services/useLoadedList';
import { toast, usePullRefresh, useMe } from '../../../services/useMe';

export default function StoresPage() {
  usePageTitle('stores.title');
  const { me, loading, error, reload } = useMe(['admin']);
  const form = useCreateForm({ name: '', code: '', city: '' });
  const [stores, refresh] = useLoadedList(Boolean(me && !error), () => api.stores(), form.setError);
  usePullRefresh(refresh);

  const create = async () => {
    const created = await form.submit(
      (v) => api.createStore({ name: v.name.trim(), code: v.code.trim(), city: v.city.trim(), address: '' }),
      ['name', 'code', 'city'],
    );
    if (created) {
      toast(t('admin.created'));
      await refresh();
    }
  };

  return (
    <View className='page stores-page'>
      <Text className='title'>{t('stores.title')}</Text>
      <StatusView loading={loading && !me} error={error} onRetry={reload} />
      {me && !error && (
        <>
          <View className='section'>
            <Text className='section-title'>{t('stores.new')}</Text>
            <FormField
              name='store-name'
              label={t('stores.name')}
              placeholder={t('stores.namePlaceholder')}
              value={form.values.name}
              onInput={form.set('name')}
            />
            <FormField
              name='store-code'
              label={t('stores.code')}
              placeholder={t('stores.codePlaceholder')}
              maxlength={20}
              value={form.values.code}
              onInput={form.set('code')}
            />
            <FormField
              name='store-city'
              label={t('stores.city')}
              placeholder={t('stores.cityPlaceholder')}
              value={form.values.city}
              onInput={form.set('city')}
            />
            <Button
              className='btn btn-primary store-create'
              disabled={form.busy || !form.values.name.trim() || !form.values.code.trim()}
              onClick={create}
            >
              {t('stores.create')}
            </Button>
            {form.error && <Text className='error-text stores-error'>{form.error}</Text>}
          </View>
          <View className='section store-list'>
            <Text className='section-title'>{t('stores.all')}</Text>
            {stores?.length === 0 && <Text className='muted empty-stores'>{t('stores.empty')}</Text>}
            {stores?.map((store) => (
              <View key={store.id} className='row store-row'>
                <View>
                  <Text className='store-name dyn'>{store.name}</Text>
                  <View>
                    <Text className='muted dyn'>{store.city}</Text>
                  </View>
                </View>
                <Text className='tag store-code dyn'>{store.code}</Text>
              </View>
            ))}
          </View>
        </>
      )}
    </View>
  );
}
