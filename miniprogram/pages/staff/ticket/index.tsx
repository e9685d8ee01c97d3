import { TicketDetail } from '../../../components/TicketDetail';

export default function StaffTicketPage() {
  return <TicketDetail as='staff' />;
}
