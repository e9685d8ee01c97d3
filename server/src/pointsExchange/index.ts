// Points exchange: the module's public API.
export { exchangeRecoveryJob } from './jobs';
export { pointsExchangeRoutes } from './routes';
export { completeExchange, exchangePoints, listExchanges, listOffers, recoverExchanges, RECOVERY_GRACE_MS } from './service';
export { pointsExchangeModels } from './model';
export { pointsExchangeData } from './customerData';
