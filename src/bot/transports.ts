import type { Platform, Transport } from './context.js';

/** The running platforms' transports, for what crosses platforms (a fan on WeChat, the agents on Telegram). */
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
