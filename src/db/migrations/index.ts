import { Foundation1764000000000 } from './1764000000000-Foundation';

/** In order. Never edit a migration that has shipped: add a new one. */
export const MIGRATIONS: Function[] = [Foundation1764000000000];
