import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { ReactNode } from 'react';
import { t } from '../i18n';

/**
 * The till's way in, shared by the staff pages: scan with the camera (weapp), or type what the
 * customer shows, then submit. `children` (an order amount) sits between the code and the button.
 */
export function ScanSubmit({
  name,
  label,
  placeholder,
  value,
  onInput,
  onScanned,
  onSubmit,
  submitLabel,
  busy,
  canSubmit,
  scanClass,
  submitClass,
  children,
}: {
  /** The field's class is `field-<name>`. */
  name: string;
  label: string;
  placeholder: string;
  value: string;
  onInput: (value: string) => void;
  /** What the camera read; the page usually submits it at once. */
  onScanned: (result: string) => void | Promise<void>;
  onSubmit: () => void;
  submitLabel: string;
  busy: boolean;
  canSubmit: boolean;
  scanClass: string;
  submitClass: string;
  children?: ReactNode;
}) {
  const scan = async () => {
    let result: string;
    try {
      result = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode', 'barCode'] })).result;
    } catch {
      return; // the clerk closed the scanner
    }
    await onScanned(result);
  };
  return (
    <>
      {process.env.TARO_ENV === 'weapp' && (
        <Button className={`btn btn-primary ${scanClass}`} disabled={busy} onClick={scan}>
          {t('staff.scan')}
        </Button>
      )}
      <View className={`field field-${name}`} style={{ marginTop: '12px' }}>
        <Text className='field-label'>{label}</Text>
        {/* What is typed or scanned is a code that changes from run to run: masked in screenshots. */}
        <Input className='field-input mask' value={value} placeholder={placeholder} onInput={(e) => onInput(e.detail.value)} />
      </View>
      {children}
      <Button className={`btn btn-secondary ${submitClass}`} disabled={busy || !canSubmit} onClick={onSubmit}>
        {submitLabel}
      </Button>
    </>
  );
}
