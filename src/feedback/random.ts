// Seeded randomness for study planning (assignment order, sides, gold selection), so a
// study re-planned from the same seed is identical: the data module's PRNG, reused.
// Not for secrets: tokens and public ids use node:crypto.
export { deriveSeed, seededRandom, shuffled } from '../data/random.js';
