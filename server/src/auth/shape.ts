import type { CustomerSummary } from '@shared/api/auth';
import type { getCustomer } from '../customers/service';
import type { AppDeps } from '../platform/app';
import { AppError } from '../platform/http/errors';
import type { WechatPlatform } from '../wechat/platform';

type CustomerDoc = NonNullable<Awaited<ReturnType<typeof getCustomer>>>;

export function customerSummaryOf(customer: CustomerDoc): CustomerSummary {
  return { id: customer._id.toString(), name: customer.profile?.name ?? null, status: customer.status };
}

/** The WeChat platform client the server was started with. */
export function wechatOf(deps: AppDeps): WechatPlatform {
  const wechat = (deps as AppDeps & { wechat?: WechatPlatform }).wechat;
  if (!wechat) throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The WeChat platform is not configured.');
  return wechat;
}
