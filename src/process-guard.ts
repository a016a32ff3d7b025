import type { Logger } from './shared/logger';

/**
 * The last line of defence of a serving process: an exception nothing
 * caught (a library throwing inside an event listener or a timer callback)
 * or a rejection nothing handled is logged, and the process keeps serving
 * everyone else, instead of Node's default of exiting. Every path of ours
 * handles its own errors; this is for the ones that are not ours.
 */
export function installProcessGuard(log: Logger): void {
  process.on('uncaughtException', (err, origin) => {
    log.error({ err, origin }, 'uncaught exception: logged, still serving');
  });
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled rejection: logged, still serving');
  });
}
