import { Input, Text, Textarea, View } from '@tarojs/components';
import { useState } from 'react';
import { errorMessage } from '../services/api';

type InputType = 'text' | 'number' | 'digit';

/** A labelled text field: the markup every form of the mini-program shares (class `field-<name>`). */
export function FormField({
  name,
  label,
  value,
  onInput,
  placeholder,
  type = 'text',
  maxlength,
  multiline,
  className,
}: {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
  type?: InputType;
  maxlength?: number;
  multiline?: boolean;
  className?: string;
}) {
  return (
    <View className={`field field-${name} ${className ?? ''}`}>
      <Text className='field-label'>{label}</Text>
      {multiline ? (
        <Textarea
          className='field-textarea'
          value={value}
          maxlength={maxlength ?? 2000}
          placeholder={placeholder}
          onInput={(e) => onInput(e.detail.value)}
        />
      ) : (
        <Input
          className='field-input'
          type={type}
          value={value}
          maxlength={maxlength}
          placeholder={placeholder}
          onInput={(e) => onInput(e.detail.value)}
        />
      )}
    </View>
  );
}

/** A labelled one-of choice shown as tags (class `<kind>-<key>` on each, `tag-on` on the chosen one). */
export function ChoiceField<K extends string>({
  label,
  kind,
  options,
  chosen,
  onChoose,
  word,
  className,
}: {
  label: string;
  kind: string;
  options: readonly K[];
  chosen: K;
  onChoose: (key: K) => void;
  word: (key: K) => string;
  className?: string;
}) {
  return (
    <View className={`field ${className ?? ''}`}>
      <Text className='field-label'>{label}</Text>
      <View>
        {options.map((key) => (
          <Text key={key} className={`tag ${kind}-${key} ${chosen === key ? 'tag-on' : ''}`} onClick={() => onChoose(key)}>
            {word(key)}
          </Text>
        ))}
      </View>
    </View>
  );
}

export interface CreateForm<V extends Record<string, string>> {
  values: V;
  set: (name: keyof V) => (value: string) => void;
  busy: boolean;
  error: string | undefined;
  setError: (message: string | undefined) => void;
  /** Sends the form; on success clears the fields named in `clear` and resolves true. */
  submit: (send: (values: V) => Promise<unknown>, clear?: Array<keyof V>) => Promise<boolean>;
}

/** The state of a create form: its fields, the busy flag and the error line, one submit. */
export function useCreateForm<V extends Record<string, string>>(initial: V): CreateForm<V> {
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const set = (name: keyof V) => (value: string) => setValues((all) => ({ ...all, [name]: value }));
  const submit = async (send: (values: V) => Promise<unknown>, clear: Array<keyof V> = []) => {
    setBusy(true);
    setError(undefined);
    try {
      await send(values);
      setValues((all) => ({ ...all, ...Object.fromEntries(clear.map((name) => [name, initial[name]])) }));
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { values, set, busy, error, setError, submit };
}
