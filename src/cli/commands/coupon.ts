import type { Command } from 'commander';
import type { App } from '../../app/app.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { ClaimOutcome, CouponDesk } from '../../skills/coupons/desk.js';
import type { CouponDrop, DropInput } from '../../skills/coupons/drop.js';
import { readFileArgument, readTextArgument } from '../file-argument.js';
import { countingBar, failAsJson, out } from '../output.js';

interface CreateOptions {
  name: string;
  stock?: string;
  keyword: string;
  perUser?: string;
  starts?: string;
  ends?: string;
  groups?: string;
  codes?: string;
  json?: boolean;
}

const USER = /^(wechat|telegram):\S+$/;

/** The users of `--users-file`: one `platform:userId` per line; a line written otherwise is refused with its number. */
async function readUsers(file: string, prompts: Prompts): Promise<string[]> {
  const text = await readTextArgument(file, prompts);
  const users: string[] = [];
  const bad: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (USER.test(line)) users.push(line);
    else bad.push(i + 1);
  });
  if (bad.length > 0) throw new UserFacingError(ErrorCode.COUPON_USERS_INVALID, 'cli/coupon-users-bad', { lines: bad.slice(0, 20).join(prompts.render('cli/list-separator')) });
  if (users.length === 0) throw new UserFacingError(ErrorCode.COUPON_USERS_INVALID, 'cli/coupon-users-empty', { file });
  return users;
}

/** One line of `coupon issue --json`: `{"user","ok","code"?,"reason"?}`. */
function issueJson(user: string, o: ClaimOutcome): string {
  if (o.ok) return JSON.stringify({ user, ok: true, code: o.code });
  return JSON.stringify({ user, ok: false, reason: o.reason, ...(o.reason === 'already_claimed' ? { code: o.codes[0] } : {}) });
}

// The coupon skill's helpers are loaded by these commands only, not by every command the CLI knows.
const helpers = async () => {
  const [{ bar }, { readCodes }, { dropView }] = await Promise.all([import('../../skills/coupons/admin.js'), import('../../skills/coupons/codes.js'), import('../../skills/coupons/routes.js')]);
  return { bar, readCodes, dropView };
};

/** `opsbot coupon create|issue|status|list|export`: coupon drops from the command line. */
export function registerCoupon(program: Command, prompts: Prompts, app: () => App): void {
  const coupon = program.command('coupon').description(prompts.render('cli/coupon-description')).addHelpText('after', prompts.render('cli/coupon-examples'));
  const desk = (rt: App): Promise<CouponDesk> => rt.service('coupons');
  const number = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN);

  coupon
    .command('create')
    .description(prompts.render('cli/coupon-create-description'))
    .requiredOption('--name <name>', prompts.render('cli/coupon-name-option'))
    .option('--stock <n>', prompts.render('cli/coupon-stock-option'))
    .requiredOption('--keyword <口令>', prompts.render('cli/coupon-keyword-option'))
    .option('--per-user <n>', prompts.render('cli/coupon-per-user-option'))
    .option('--starts <ISO>', prompts.render('cli/coupon-starts-option'))
    .option('--ends <ISO>', prompts.render('cli/coupon-ends-option'))
    .option('--groups <"g1,g2">', prompts.render('cli/coupon-groups-option'))
    .option('--codes <FILE>', prompts.render('cli/coupon-codes-option'))
    .option('--json', prompts.render('cli/json-option'))
    .addHelpText('after', prompts.render('cli/coupon-create-examples'))
    .action(async (o: CreateOptions) => {
      const rt = app();
      const { readCodes, dropView } = await helpers();
      try {
        const codes = o.codes ? readCodes(await readFileArgument(o.codes, prompts), prompts) : undefined;
        const stock = number(o.stock);
        const perUser = number(o.perUser);
        const input: DropInput = {
          name: o.name,
          keyword: o.keyword,
          ...(stock !== undefined ? { stock } : {}),
          ...(perUser !== undefined ? { perUser } : {}),
          ...(o.starts ? { starts: o.starts } : {}),
          ...(o.ends ? { ends: o.ends } : {}),
          ...(o.groups ? { groups: o.groups.split(/[,，、]/).map((g) => g.trim()).filter(Boolean) } : {}),
          ...(codes ? { codes } : {}),
        };
        const coupons = await desk(rt);
        const drop = await coupons.create(input);
        if (o.json) return out(JSON.stringify(await dropView(coupons, drop)));
        out(prompts.render('cli/coupon-created', { name: drop.name, id: drop.id, stock: drop.stock, keyword: drop.keyword, perUser: drop.perUser }));
        out(prompts.render('cli/coupon-window', { window: coupons.window(drop) }));
        out(prompts.render('cli/coupon-groups', { count: drop.groups.length, groups: drop.groups.map((g) => g.name).join(prompts.render('cli/list-separator')) || '-' }));
        if (drop.groups.length === 0) out(prompts.render('cli/coupon-no-groups'));
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });

  coupon
    .command('issue')
    .description(prompts.render('cli/coupon-issue-description'))
    .argument('<id>', prompts.render('cli/coupon-id-argument'))
    .requiredOption('--users-file <FILE>', prompts.render('cli/coupon-users-option'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (id: string, o: { usersFile: string; json?: boolean }) => {
      const rt = app();
      try {
        const users = await readUsers(o.usersFile, prompts);
        const progress = countingBar(prompts.render('cli/coupon-issue-progress'), users.length);
        const results = await (await desk(rt)).issue(id, users, () => progress.tick());
        progress.stop();
        for (const { user, outcome } of results) {
          if (o.json) out(issueJson(user, outcome));
          else out(outcome.ok ? prompts.render('cli/coupon-issue-ok', { user, code: outcome.code }) : prompts.render('cli/coupon-issue-no', { user, reason: prompts.render(`cli/coupon-reason-${outcome.reason}`) }));
        }
        if (!o.json) out(prompts.render('cli/coupon-issue-summary', { ok: results.filter((r) => r.outcome.ok).length, total: results.length }));
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });

  coupon
    .command('status')
    .description(prompts.render('cli/coupon-status-description'))
    .argument('<id>', prompts.render('cli/coupon-id-argument'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (id: string, o: { json?: boolean }) => {
      const rt = app();
      const { bar } = await helpers();
      try {
        const coupons = await desk(rt);
        const s = await coupons.status(id);
        if (o.json) return out(JSON.stringify(s));
        const d = await coupons.mustGet(id);
        out(prompts.render('cli/coupon-status', { name: d.name, id: d.id, bar: bar(s.claimed, s.stock), claimed: s.claimed, stock: s.stock, remaining: s.remaining }));
      } catch (err) {
        failAsJson(o.json, err, prompts);
      }
    });

  coupon
    .command('list')
    .description(prompts.render('cli/coupon-list-description'))
    .option('--json', prompts.render('cli/json-option'))
    .action(async (o: { json?: boolean }) => {
      const rt = app();
      const { dropView } = await helpers();
      const coupons = await desk(rt);
      const drops = await coupons.list();
      if (o.json) {
        for (const d of drops) out(JSON.stringify(await dropView(coupons, d)));
        return;
      }
      if (drops.length === 0) return out(prompts.render('cli/coupon-none'));
      for (const d of drops) {
        const s = await coupons.status(d.id);
        out(prompts.render('cli/coupon-list-line', { id: d.id, name: d.name, keyword: d.keyword, claimed: s.claimed, stock: s.stock, starts: coupons.when(d.startsAt), state: prompts.render(`cli/coupon-state-${state(rt.now(), d, s.remaining)}`) }));
      }
    });

  coupon
    .command('export')
    .description(prompts.render('cli/coupon-export-description'))
    .argument('<id>', prompts.render('cli/coupon-id-argument'))
    .action(async (id: string) => {
      const rt = app();
      process.stdout.write(await (await desk(rt)).exportCsv(id));
    });
}

/** Where a drop stands: waiting, open, sold out or over. */
function state(now: number, d: Pick<CouponDrop, 'startsAt' | 'endsAt'>, remaining: number): 'waiting' | 'open' | 'sold-out' | 'ended' {
  if (remaining === 0) return 'sold-out';
  if (d.endsAt && Date.parse(d.endsAt) <= now) return 'ended';
  return Date.parse(d.startsAt) > now ? 'waiting' : 'open';
}
