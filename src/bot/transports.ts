import type { Platform, Transport } from './context.js';

/**
 * The platforms running in this process, for what only the platform itself can do: editing a message it
 * sent (an escalation's copies). Sends to other chats go through the outbox, which reaches any process.
 */
export class Transports {
  private readonly byPlatform = new Map<Platform, Transport>();

  /** Registers the transport of a platform as it starts. */
  set(platform: Platform, transport: Transport): void {
    this.byPlatform.set(platform, transport);
  }

  /** The platform's transport, if it runs in this process. */
  get(platform: Platform): Transport | undefined {
    return this.byPlatform.get(platform);
  }
}
