import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { errorMessage, SIGN_IN_PAGE } from '../../../services/api';
import { api } from '../../../services/loopline';
import { clearSession } from '../../../services/session';

export default function PrivacyPage() {
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
      void Taro.showToast({ title: '账户已删除', icon: 'success' });
      await Taro.reLaunch({ url: SIGN_IN_PAGE });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className='page privacy-page'>
      <Text className='title'>隐私与数据</Text>
      <Text className='subtitle'>你可以随时导出或删除你的个人数据</Text>

      <View className='section'>
        <Text className='section-title'>导出我的数据 Export</Text>
        <Button className='btn btn-secondary privacy-export' disabled={busy} onClick={exportData}>
          导出 Export
        </Button>
        {exported && (
          <View className='export-box' style={{ marginTop: '16px', maxHeight: '400px', overflow: 'auto' }}>
            <Text className='muted' style={{ whiteSpace: 'pre-wrap', fontFamily: 'monospace', fontSize: '11px' }} userSelect>
              {exported}
            </Text>
          </View>
        )}
      </View>

      <View className='section'>
        <Text className='section-title'>删除账户 Delete account</Text>
        <Text className='muted'>删除后会员等级、积分和优惠券将无法恢复。</Text>
        {!deletionToken ? (
          <Button className='btn btn-danger privacy-delete' disabled={busy} onClick={startDeletion}>
            删除我的账户
          </Button>
        ) : (
          <View className='delete-confirm'>
            <Text className='error-text'>确定要永久删除吗？This cannot be undone.</Text>
            <Button className='btn btn-danger privacy-delete-confirm' disabled={busy} onClick={confirmDeletion}>
              确认删除 Delete
            </Button>
            <Button className='btn btn-secondary privacy-delete-cancel' disabled={busy} onClick={() => setDeletionToken(undefined)}>
              取消 Cancel
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
