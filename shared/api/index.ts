export * from './common';
export * from './auth';
export * from './stores';
export * from './members';
export * from './privacy';
export * from './complaints';
export * from './crm';
export * from './analytics';
