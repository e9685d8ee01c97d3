import { Button, Input, Text, Textarea, View } from '@tarojs/components';
import { useDidShow, useRouter } from '@tarojs/taro';
import { useRef, useState } from 'react';
import { OPEN_STATES, transitionFor, type TicketAction } from '@shared/tickets';
import { t, usePageTitle } from '../i18n';
import { errorMessage } from '../services/api';
import { formatTime } from '../services/format';
import { tickets, type Ticket, type TicketMessage, type TicketPhotoRef } from '../services/tickets';
import { customerPage } from '../services/loopline';
import { useAction } from '../services/useAction';
import { go, usePullRefresh, useMe } from '../services/useMe';
import { StatusView } from './StatusView';
import { PhotoGrid, SlaBadgeView, StateBadge, Thread } from './Tickets';

/** Destructive actions look it; the way forward is the filled button. */
const DANGER: TicketAction[] = ['cancel', 'reject'];
const FORWARD: TicketAction[] = ['accept', 'start', 'resolve', 'resume', 'close'];

/** One ticket, for its customer or for the staff of its store: facts, photos, conversation, actions. */
export function TicketDetail({ as }: { as: 'customer' | 'staff' }) {
  usePageTitle(as === 'staff' ? 'ticket.staffTitle' : 'ticket.detailTitle');
  const { me, loading, error } = useMe(as === 'staff' ? ['clerk', 'manager', 'admin'] : undefined);
  const id = useRouter().params.id ?? '';
  const [ticket, setTicket] = useState<Ticket>();
  const [messages, setMessages] = useState<TicketMessage[]>([]);
  const [photos, setPhotos] = useState<TicketPhotoRef[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const [draft, setDraft] = useState('');
  const [note, setNote] = useState('');
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  /** The action whose reason or resolution is being written. */
  const [noteFor, setNoteFor] = useState<TicketAction>();
  const sendKey = useRef<string>();

  const load = async () => {
    try {
      const [t, m, p] = await Promise.all([tickets.get(id), tickets.messages(id), tickets.photos(id)]);
      setTicket(t);
      setMessages(m.items);
      setPhotos(p.items);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useDidShow(() => {
    void load();
  });
  usePullRefresh(load);

  const { busy, actionError, setActionError, run } = useAction(load);

  const send = async () => {
    const text = draft.trim();
    if (!text) return;
    // The same key until it goes through: a retry after a lost answer is not a second message.
    sendKey.current ??= `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    if (await run(() => tickets.send(id, text, sendKey.current), t('ticket.sent'))) {
      setDraft('');
      sendKey.current = undefined;
    }
  };

  const act = async (action: TicketAction) => {
    const needs = transitionFor(action).requires[0];
    if (needs && (noteFor !== action || !note.trim())) {
      setNoteFor(action);
      setActionError(t(needs === 'resolution' ? 'ticket.needResolution' : 'ticket.needReason'));
      return;
    }
    const data = needs ? { [needs]: note.trim() } : {};
    if (await run(() => tickets.act(id, action, data), t('ticket.action.done', { action: t(`ticket.action.${action}`) }))) {
      setNote('');
      setNoteFor(undefined);
    }
  };

  const rate = async () => {
    if (stars < 1) return setActionError(t('ticket.chooseStars'));
    await run(() => tickets.rate(id, stars, comment.trim() || undefined), t('ticket.rateThanks'));
  };

  const actions = ticket?.allowedActions ?? [];
  const noteField = noteFor && actions.includes(noteFor) ? transitionFor(noteFor).requires[0] : undefined;
  const open = ticket && !['closed', 'rejected', 'cancelled'].includes(ticket.state);
  const lastReason = [...(ticket?.history ?? [])]
    .reverse()
    .find((h) => h.reason && ['request_info', 'reject', 'reopen'].includes(h.action));

  return (
    <View className={`page ticket-page ticket-page-${as}`}>
      <StatusView loading={(loading && !me) || (!ticket && !loadError && !error)} error={error ?? loadError} onRetry={load} rows={2} />
      {ticket && !error && (
        <>
          <View className='section ticket-facts'>
            <View className='ticket-head'>
              <Text className='section-title mask' style={{ marginBottom: 0 }}>
                {t('ticket.heading', { type: t(`ticket.type.${ticket.type}`), number: ticket.number })}
              </Text>
              <View>
                {as === 'staff' && <SlaBadgeView badge={ticket.sla.badge} />}
                <StateBadge state={ticket.state} />
              </View>
            </View>
            <Text className='detail-line ticket-description dyn'>{ticket.description}</Text>
            {ticket.orderRef && <Text className='muted dyn'>{t('ticket.orderRef', { ref: ticket.orderRef })}</Text>}
            <Text className='detail-line muted mask'>
              {t('ticket.contactLine', {
                contact: `${t(`ticket.contact.${ticket.contact.preference}`)}${ticket.contact.phone ? ` ${ticket.contact.phone}` : ''}`,
                time: formatTime(ticket.createdAt),
              })}
            </Text>
            {as === 'staff' && (
              <Text className='link ticket-customer' onClick={() => go(customerPage(ticket.customerId, ticket.storeId))}>
                {t('customer.open')}
              </Text>
            )}
            {as === 'staff' && ticket.sla.resolutionDue && OPEN_STATES.includes(ticket.state) && (
              <Text className='detail-line muted mask'>{t('ticket.resolutionDue', { time: formatTime(ticket.sla.resolutionDue) })}</Text>
            )}
            {lastReason && open && (
              <Text className='detail-line last-reason dyn'>{t('ticket.reason', { reason: lastReason.reason ?? '' })}</Text>
            )}
            {ticket.resolution && (
              <View className='resolution-box ticket-resolution dyn'>{t('ticket.resolution', { resolution: ticket.resolution })}</View>
            )}
            <View style={{ marginTop: '16px' }}>
              <PhotoGrid photos={photos} />
            </View>
          </View>

          <View className='section ticket-thread'>
            <Text className='section-title'>{t('ticket.conversation')}</Text>
            <Thread messages={messages} mine={as} />
            {open && (
              <View className='composer'>
                <Input
                  className='field-input message-input'
                  value={draft}
                  maxlength={2000}
                  placeholder={t(as === 'staff' ? 'ticket.replyPlaceholder' : 'ticket.messagePlaceholder')}
                  onInput={(e) => setDraft(e.detail.value)}
                  onConfirm={send}
                />
                <Button className='btn btn-primary message-send' disabled={busy || !draft.trim()} onClick={send}>
                  {t('ticket.send')}
                </Button>
              </View>
            )}
          </View>

          {as === 'customer' && (ticket.state === 'resolved' || ticket.state === 'closed') && (
            <View className='section ticket-rating'>
              <Text className='section-title'>{t('ticket.rateTitle')}</Text>
              {ticket.rating ? (
                <>
                  <View className='stars rated-stars'>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <Text key={n} className={`star ${n <= ticket.rating!.stars ? 'star-on' : ''}`}>
                        ★
                      </Text>
                    ))}
                  </View>
                  {ticket.rating.comment && <Text className='detail-line dyn'>{ticket.rating.comment}</Text>}
                  <Text className='muted rating-thanks'>{t('ticket.rateThanks')}</Text>
                </>
              ) : (
                <>
                  <View className='stars'>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <Text key={n} className={`star star-${n} ${n <= stars ? 'star-on' : ''}`} onClick={() => setStars(n)}>
                        ★
                      </Text>
                    ))}
                  </View>
                  <Input
                    className='field-input rating-comment'
                    value={comment}
                    maxlength={500}
                    placeholder={t('ticket.rateComment')}
                    onInput={(e) => setComment(e.detail.value)}
                  />
                  <Button className='btn btn-primary rating-submit' disabled={busy} onClick={rate}>
                    {t('ticket.rateSubmit')}
                  </Button>
                </>
              )}
            </View>
          )}
          {actions.length > 0 && (
            <View className='section ticket-actions'>
              <Text className='section-title'>{t('ticket.actions')}</Text>
              {noteField && (
                <View className='field field-action-note'>
                  <Text className='field-label'>
                    {t(noteField === 'resolution' ? 'ticket.noteResolution' : 'ticket.noteReason', {
                      action: t(`ticket.action.${noteFor!}`),
                    })}
                  </Text>
                  <Textarea className='field-textarea' value={note} maxlength={1000} onInput={(e) => setNote(e.detail.value)} />
                </View>
              )}
              <View className='actions'>
                {actions.map((a) => (
                  <Button
                    key={a}
                    className={`btn ${DANGER.includes(a) ? 'btn-danger' : FORWARD.includes(a) ? 'btn-primary' : 'btn-secondary'} action-${a}`}
                    disabled={busy}
                    onClick={() => act(a)}
                  >
                    {t(`ticket.action.${a}`)}
                  </Button>
                ))}
              </View>
            </View>
          )}

          {actionError && <Text className='error-text action-error'>{actionError}</Text>}
        </>
      )}
    </View>
  );
}
