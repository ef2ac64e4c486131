import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** How long a refused request's remaining body is read and dropped before the socket closes. */
export const LINGER_MS = 5_000;

/**
 * Lets a refusal sent before the body was read reach a client that is still writing it.
 *
 * Fastify answers a body over the limit (declared or streamed) or a broken body at once and
 * marks the answer `connection: close`. Node then closes the socket right after the answer,
 * while the client's bytes are still arriving, and the kernel resets a socket closed with
 * unread data: the client sees ECONNRESET or EPIPE instead of the 413. Instead, the answer
 * keeps the connection and Node reads and drops the rest of the body (as nginx's lingering
 * close does). A body that ends within {@link LINGER_MS} leaves the connection usable for the
 * next request; one that does not is closed then, so a client announcing a huge body holds
 * the socket for seconds at most. Nothing of the dropped body is kept in memory.
 */
export function installLingeringClose(fastify: FastifyInstance, lingerMs = LINGER_MS): void {
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (!req.raw.complete && reply.getHeader('connection') === 'close') {
      reply.removeHeader('connection');
      reply.raw.once('finish', () => closeUnlessComplete(req.raw, lingerMs));
    }
    done(null, payload);
  });
}

function closeUnlessComplete(req: IncomingMessage, lingerMs: number): void {
  if (req.complete) return;
  const timer = setTimeout(() => {
    if (!req.complete) req.socket.destroy();
  }, lingerMs);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once('end', stop);
  req.once('close', stop);
}
