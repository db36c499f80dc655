import type { FastifyInstance } from 'fastify';
import { BootsyncError } from '@bootsync/shared/errors';
import type { Logger } from '@bootsync/shared/logging';
import {
  bearerToken,
  readRegistrationRequest,
  REGISTER_PATH,
  registrationRefusal,
  type RegistrationAnswerFields,
  type RegistrationRequest,
} from '@bootsync/shared/rack-protocol';
import { sameSecret } from '../identity/index.js';

export interface RegistrationRouteDeps {
  /** Contents of `<region data dir>/secret`, which a rack presents to register. */
  readonly secret: string;
  readonly logger: Logger;
  /** Records the rack with a new token and says how it reaches its queue and the stream (RackService.register). */
  readonly register: (name: string) => Promise<RegistrationAnswerFields>;
}

/**
 * `POST REGISTER_PATH`: a rack presenting the region's secret is registered. A wrong secret is 401; a rack of
 * another protocol version or a name a rack may not carry is 400, with the protocol's refusal body.
 */
export function registerRegistrationRoute(app: FastifyInstance, deps: RegistrationRouteDeps): void {
  app.post(REGISTER_PATH, async (request, reply) => {
    const name = (request.body as { name?: unknown } | undefined)?.name;
    const rack = typeof name === 'string' ? name : undefined;
    if (!sameSecret(bearerToken(request.headers.authorization) ?? '', deps.secret)) {
      deps.logger.warn({ event: 'racks.register.refused', rack });
      return reply.code(401).send(registrationRefusal('RACK_REGISTRATION_REFUSED', 'wrong secret: use the contents of <region data dir>/secret'));
    }
    const asked = readRequest(request.body);
    if (asked instanceof BootsyncError) {
      deps.logger.warn({ event: 'racks.register.refused', rack, err: asked });
      return reply.code(400).send(registrationRefusal(asked.code, asked.message));
    }
    return reply.send(await deps.register(asked.name));
  });
}

/** The request as the protocol reads it, or the typed error it refuses it with. */
function readRequest(body: unknown): RegistrationRequest | BootsyncError {
  try {
    return readRegistrationRequest(body);
  } catch (err) {
    if (err instanceof BootsyncError) return err;
    throw err;
  }
}
