export * from './terms.ts';
export * from './map.ts';
