export * from './timesteps.js';
export * from './ddim.js';
export * from './ddpm.js';
