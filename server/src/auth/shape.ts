import type { CustomerSummary } from '@shared/api/auth';
import type { getCustomer } from '../customers';

type CustomerDoc = NonNullable<Awaited<ReturnType<typeof getCustomer>>>;

export function customerSummaryOf(customer: CustomerDoc): CustomerSummary {
  return { id: customer._id.toString(), name: customer.profile?.name ?? null, status: customer.status };
}
