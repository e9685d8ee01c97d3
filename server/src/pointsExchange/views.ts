import type { PointsExchangeView } from '@shared/pointsExchange';
import type { ExchangeDoc } from './model';

export function exchangeView(e: ExchangeDoc): PointsExchangeView {
  return {
    id: e._id,
    campaignId: e.campaignId.toString(),
    name: e.name,
    points: e.points,
    state: e.state,
    ...(e.couponId ? { couponId: e.couponId.toString() } : {}),
    ...(e.errorCode ? { error: { code: e.errorCode, message: e.errorMessage ?? '' } } : {}),
    at: e.createdAt.toISOString(),
  };
}
