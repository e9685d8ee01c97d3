import { TicketDetail } from '../../../components/TicketDetail';

export default function TicketDetailPage() {
  return <TicketDetail as='customer' />;
}
