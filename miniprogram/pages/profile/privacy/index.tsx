import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { t, usePageTitle } from '../../../i18n';
import { errorMessage, SIGN_IN_PAGE } from '../../../services/api';
import { toast } from '../../../services/useMe';
import { api } from '../../../services/loopline';
import { clearSession } from '../../../services/session';

export default function PrivacyPage() {
  usePageTitle('privacy.title');
  const [exported, setExported] = useState<string>();
  const [deletionToken, setDeletionToken] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const exportData = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const data = await api.exportData();
      const json = JSON.stringify(data, null, 2);
      setExported(json);
      if (process.env.TARO_ENV === 'h5') downloadInBrowser(json);
      toast(t('privacy.exported'));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  // Deleting takes two steps on the server as well: a short-lived token, then its confirmation.
  const startDeletion = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { token } = await api.startDeletion();
      setDeletionToken(token);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const confirmDeletion = async () => {
    if (!deletionToken) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.confirmDeletion(deletionToken);
      clearSession();
      toast(t('privacy.deleted'));
      await Taro.reLaunch({ url: SIGN_IN_PAGE });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page privacy-page'>
      <Text className='title'>{t('privacy.title')}</Text>
      <Text className='subtitle'>{t('privacy.subtitle')}</Text>

      <View className='section'>
        <Text className='section-title'>{t('privacy.exportTitle')}</Text>
        <Button className='btn btn-secondary privacy-export' disabled={busy} onClick={exportData}>
          {t('privacy.export')}
        </Button>
        {exported && (
          <View className='export-box' style={{ marginTop: '16px', maxHeight: '400px', overflow: 'auto' }}>
            <Text className='muted dyn mask' style={{ whiteSpace: 'pre-wrap', fontFamily: 'monospace', fontSize: '11px' }} userSelect>
              {exported}
            </Text>
          </View>
        )}
      </View>

      <View className='section'>
        <Text className='section-title'>{t('privacy.deleteTitle')}</Text>
        <Text className='muted'>{t('privacy.deleteText')}</Text>
        {!deletionToken ? (
          <Button className='btn btn-danger privacy-delete' disabled={busy} onClick={startDeletion}>
            {t('privacy.delete')}
          </Button>
        ) : (
          <View className='delete-confirm'>
            <Text className='error-text'>{t('privacy.deleteConfirm')}</Text>
            <Button className='btn btn-danger privacy-delete-confirm' disabled={busy} onClick={confirmDeletion}>
              {t('privacy.deleteConfirmButton')}
            </Button>
            <Button className='btn btn-secondary privacy-delete-cancel' disabled={busy} onClick={() => setDeletionToken(undefined)}>
              {t('common.cancel')}
            </Button>
          </View>
        )}
      </View>
      {error && <Text className='error-text privacy-error'>{error}</Text>}
    </View>
  );
}

function downloadInBrowser(json: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'loopline-my-data.json';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
