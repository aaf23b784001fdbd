/**
 * The one Powertools logger of a function, created once per container. It writes structured JSON;
 * its service name and level come from `POWERTOOLS_SERVICE_NAME` and `POWERTOOLS_LOG_LEVEL`.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** The module-scope logger every handler and module of a function logs through. */
export const logger = new Logger();
