import 'server-only';
import { runtime } from '../runtime';

/** TEMP (#16): removed once every service takes the runtime. */
export const getDb = () => runtime().db;
