import { describe, expect, it } from 'vitest';
import type { IncomingMessage, Outbound, SendResult, Transport } from '../../src/bot/context.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { storeFailure, type StoreSite } from '../../src/bot/store/failure.js';
import { ErrorCode, hasCode } from '../../src/kernel/errors.js';
import { captureLogger, memoryStore, prompts } from '../helpers.js';

/** Driver errors as node-sqlite3, node:fs and node-redis raise them. */
const driver = (code: string | undefined, message: string) => Object.assign(new Error(message), code ? { code } : {});
const sqlite: StoreSite = { kind: 'sqlite', where: '/srv/shop/data', file: '/srv/shop/data/opsbot.sqlite' };
const redis: StoreSite = { kind: 'redis', where: '10.0.0.5:6380/2' };

describe('a store failure, in words', () => {
  // [site, driver error, prompt key, where it names, retry helps]
  const cases: [StoreSite, Error, string, string, boolean][] = [
    [sqlite, driver('SQLITE_NOTADB', 'SQLITE_NOTADB: file is not a database'), 'errors/store-corrupt', '/srv/shop/data/opsbot.sqlite', false],
    [sqlite, driver('SQLITE_CORRUPT', 'SQLITE_CORRUPT: database disk image is malformed'), 'errors/store-corrupt', '/srv/shop/data/opsbot.sqlite', false],
    [sqlite, driver('SQLITE_FULL', 'SQLITE_FULL: database or disk is full'), 'errors/store-full', '/srv/shop/data/opsbot.sqlite', false],
    [sqlite, driver('ENOSPC', 'ENOSPC: no space left on device'), 'errors/store-full', '/srv/shop/data/opsbot.sqlite', false],
    [sqlite, driver('SQLITE_BUSY', 'SQLITE_BUSY: database is locked'), 'errors/store-busy', '/srv/shop/data/opsbot.sqlite', true],
    [sqlite, driver('SQLITE_CANTOPEN', 'SQLITE_CANTOPEN: unable to open database file'), 'errors/store-unwritable', '/srv/shop/data', false],
    [sqlite, driver('EROFS', 'EROFS: read-only file system'), 'errors/store-unwritable', '/srv/shop/data', false],
    [sqlite, driver('EEXIST', 'EEXIST: file already exists'), 'errors/store-not-folder', '/srv/shop/data', false],
    [sqlite, driver('SQLITE_IOERR', 'SQLITE_IOERR: disk I/O error'), 'errors/store-sqlite-failed', '/srv/shop/data/opsbot.sqlite', true],
    [redis, driver('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:6380'), 'errors/store-redis-down', '10.0.0.5:6380/2', true],
    [redis, driver(undefined, 'ERR DB index is out of range'), 'errors/store-redis-db', '10.0.0.5:6380/2', false],
    [redis, driver(undefined, 'WRONGPASS invalid username-password pair or user is disabled.'), 'errors/store-redis-auth', '10.0.0.5:6380/2', false],
  ];
  it.each(cases)('%#: %s → its Chinese sentence, naming where, no driver English', (site, cause, key, where, retryHelps) => {
    const err = storeFailure(site, cause);
    expect(hasCode(err, ErrorCode.STORE_UNAVAILABLE)).toBe(true);
    expect(err.promptKey).toBe(key);
    expect(err.details).toMatchObject({ kind: site.kind, where, retryHelps });
    const text = prompts.render(err.promptKey, err.params);
    expect(text).toContain(where);
    expect(text).not.toMatch(/[A-Za-z]{4,} [a-z]{2,}|SQLITE_|E[A-Z]{4,}/);
    expect(text).toContain(retryHelps ? '再试' : '重试不会有用');
  });
});

class Sent implements Transport {
  texts: string[] = [];
  async send(_chat: string, content: Outbound): Promise<SendResult> {
    this.texts.push(content.kind === 'text' ? content.text : '');
    return { status: 'sent' };
  }
}

describe('a store failure, as a chat answers it', () => {
  it('tells staff which store and where; a fan gets the plain sentence; the log has the cause at error, no stack', async () => {
    const store = memoryStore();
    store.setIfAbsent = async () => {
      throw storeFailure({ ...sqlite }, driver('SQLITE_FULL', 'SQLITE_FULL: database or disk is full'));
    };
    const logs = captureLogger();
    const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: ['telegram:1'], agents: [] }) }).start();
    const msg = (sender: string): IncomingMessage => ({ platform: 'telegram', messageId: `m-${sender}`, time: new Date(), chat: { id: sender, type: 'private' }, sender: { id: sender, name: sender }, text: '你好', mentioned: false, self: false });
    const admin = new Sent();
    const fan = new Sent();
    await router.handle(msg('1'), admin);
    await router.handle(msg('42'), fan);
    expect(admin.texts).toEqual([prompts.render('errors/store-full', { path: '/srv/shop/data/opsbot.sqlite' })]);
    expect(fan.texts).toEqual([prompts.render('errors/store-unavailable')]);
    const lines = logs.lines().filter((l) => l.level === 50);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE, reason: 'full', cause: 'SQLITE_FULL: database or disk is full' });
      expect(JSON.stringify(line)).not.toMatch(/\\n\s+at /);
    }
  });
});
