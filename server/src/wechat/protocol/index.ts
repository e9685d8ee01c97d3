export * from './crypto';
export * from './messages';
export * from './push';
export * from './replies';
export * from './signature';
