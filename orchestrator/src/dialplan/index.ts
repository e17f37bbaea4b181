export * from './model.ts';
export * from './pattern.ts';
export * from './validate.ts';
export * from './resolve.ts';
