import { Image, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import type { SlaBadge, TicketState } from '@shared/tickets';
import { t } from '../i18n';
import { formatTime } from '../services/format';
import { loadTicketPhoto, type Ticket, type TicketMessage, type TicketPhotoRef } from '../services/tickets';
import './tickets.scss';

export function StateBadge({ state }: { state: TicketState }) {
  return <Text className={`badge state-badge badge-${state}`}>{t(`ticket.state.${state}`)}</Text>;
}

export function SlaBadgeView({ badge }: { badge: SlaBadge }) {
  if (badge !== 'at_risk' && badge !== 'overdue') return null;
  return <Text className={`badge sla-badge badge-sla-${badge}`}>{t(`ticket.sla.${badge}`)}</Text>;
}

export function TicketRow({ ticket, onClick, staff }: { ticket: Ticket; onClick: () => void; staff?: boolean }) {
  // The deadline that comes next: the first answer until someone answered, then the resolution.
  const firstAnswerOwed = !ticket.sla.firstRespondedAt && !!ticket.sla.firstResponseDue;
  const due = firstAnswerOwed ? ticket.sla.firstResponseDue : ticket.sla.resolutionDue;
  return (
    <View className={`ticket-row ticket-${ticket.number}`} onClick={onClick}>
      <View className='ticket-row-head'>
        <Text className='ticket-row-title mask'>
          {t('ticket.heading', { type: t(`ticket.type.${ticket.type}`), number: ticket.number })}
        </Text>
        {staff && <SlaBadgeView badge={ticket.sla.badge} />}
        <StateBadge state={ticket.state} />
      </View>
      <Text className='ticket-row-desc dyn'>{ticket.description}</Text>
      <Text className='ticket-row-meta mask'>
        {staff && due
          ? t(firstAnswerOwed ? 'ticket.firstDue' : 'ticket.resolutionDue', { time: formatTime(due) })
          : t('aftersale.submittedAt', { time: formatTime(ticket.createdAt) })}
      </Text>
    </View>
  );
}

export function Thread({ messages, mine }: { messages: TicketMessage[]; mine: 'customer' | 'staff' }) {
  if (messages.length === 0) return <Text className='empty'>{t(mine === 'staff' ? 'ticket.noMessagesStaff' : 'ticket.noMessages')}</Text>;
  return (
    <View className='thread'>
      {messages.map((m) => (
        <View key={m.id} className={`bubble message-${m.from} ${m.from === mine ? 'bubble-mine' : 'bubble-theirs'}`}>
          <Text className='bubble-who mask'>{t(`ticket.from.${m.from}`, { time: formatTime(m.at) })}</Text>
          <Text className='bubble-text dyn'>{m.text}</Text>
        </View>
      ))}
    </View>
  );
}

/** The ticket's photos, fetched with the session (they are not public). */
export function PhotoGrid({ photos }: { photos: TicketPhotoRef[] }) {
  const [sources, setSources] = useState<Record<string, string>>({});
  useEffect(() => {
    let live = true;
    for (const photo of photos) {
      if (sources[photo.id]) continue;
      loadTicketPhoto(photo.url)
        .then((src) => live && setSources((s) => ({ ...s, [photo.id]: src })))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [photos]);
  if (photos.length === 0) return null;
  return (
    <View className='photo-grid ticket-photos'>
      {photos.map((p) => (
        <View key={p.id} className='photo-cell'>
          {sources[p.id] && <Image className='photo-image' src={sources[p.id]!} mode='aspectFill' />}
        </View>
      ))}
    </View>
  );
}
