import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { WechatAdapter } from '../../src/bot/adapters/wechat.js';
import { RoleDirectory } from '../../src/bot/roles.js';
import { Router } from '../../src/bot/router.js';
import { memoryStore, captureLogger, prompts, tempDir } from '../helpers.js';

const data = tempDir('opsbot-wechat-stop-');
afterAll(() => data.cleanup());

describe('stopping WeChat', () => {
  it('does not wait forever for a puppet that never finishes stopping: it gives up after the bound and says so', async () => {
    const mocker = new mock.Mocker();
    const puppet = new PuppetMock({ mocker });
    const logs = captureLogger();
    const store = memoryStore();
    const router = new Router({ store, prompts, logger: logs.logger, roles: new RoleDirectory({ admins: [], agents: [] }) }).start();
    const adapter = new WechatAdapter({ router, store, logger: logs.logger, tz: 'Asia/Shanghai', dataDir: data.dir, puppet, stopTimeoutMs: 300 });
    await adapter.start();
    mocker.login(mocker.createContact({ name: '店小二' }));
    // A puppet service that is unreachable at shutdown: its stop never settles.
    adapter.bot.stop = () => new Promise<void>(() => {});
    await adapter.stop();
    expect(logs.lines().some((l) => String(l.msg).includes('wechat: the puppet did not stop'))).toBe(true);
  });
});
