import { useState } from 'preact/hooks';
import { api, post } from '../api';
import { t } from '../texts';
import { fmtTime, useLoad } from '../util';

interface Message { kind: string; lead?: number; at: string; text: string }
interface Group { name: string }
interface Session { id: string; status: string; title: string; start: string; end: string; groups: Group[]; messages: Message[] }
interface Preview { title: string; start: string; groups: Group[]; messages: Message[]; warnings: string[]; poster: string }
interface Drop { id: string; name: string; stock: number; keyword: string; perUser: number; starts: string; ends?: string; status: string; groups: Group[]; claimed: number; remaining: number }

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);

function Messages({ messages }: { messages: Message[] }) {
  return (
    <ol class="timeline">
      {messages.map((m) => (
        <li>
          <b>{fmtTime(m.at)}</b> <span class="muted">{m.kind}{m.lead ? ` ${m.lead}m` : ''}</span>
          <p>{m.text}</p>
        </li>
      ))}
    </ol>
  );
}

function LiveCard({ s, demo, reload }: { s: Session; demo: boolean; reload: () => void }) {
  const [poster, setPoster] = useState<string | null>();
  const [error, setError] = useState<string>();
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <li class="card" data-testid="live">
      <h4>
        {s.title} {s.status === 'cancelled' && <span class="badge failed">{t('cal.cancelled')}</span>}
      </h4>
      <p class="meta">
        {fmtTime(s.start)} – {fmtTime(s.end)} · {s.groups.map((g) => g.name).join('、')}
      </p>
      <details onToggle={(e) => (e.target as HTMLDetailsElement).open && poster === undefined && api<{ poster: string | null }>(`/live/sessions/${s.id}/poster`, { demo }).then((r) => setPoster(r.poster))}>
        <summary>{t('cal.messages')}</summary>
        <Messages messages={s.messages} />
        {poster && <img class="poster" src={poster} alt={s.title} />}
      </details>
      {s.status === 'scheduled' && (
        <div class="buttons">
          <button
            class="small ghost"
            onClick={() => {
              const start = prompt(t('cal.newStart'));
              if (start) void act(() => post(`/live/sessions/${s.id}/reschedule`, { start }, demo));
            }}
          >
            {t('cal.reschedule')}
          </button>
          <button class="small ghost" onClick={() => act(() => post(`/live/sessions/${s.id}/cancel`, {}, demo))}>
            {t('cal.cancelLive')}
          </button>
        </div>
      )}
      {error && <p class="error">{error}</p>}
    </li>
  );
}

function NewLive({ demo, done }: { demo: boolean; done: () => void }) {
  const [f, setF] = useState({ title: '', start: '', offers: '', products: '', reminders: '' });
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<string>();
  const input = () => ({ title: f.title, start: f.start, offers: lines(f.offers), products: lines(f.products), ...(f.reminders ? { reminders: f.reminders } : {}) });
  const run = async (what: 'preview' | 'schedule') => {
    setError(undefined);
    try {
      if (what === 'preview') setPreview(await post<Preview>('/live/preview', input(), demo));
      else {
        await post('/live/sessions', input(), demo);
        setPreview(undefined);
        setF({ title: '', start: '', offers: '', products: '', reminders: '' });
        done();
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const field = (k: keyof typeof f, multi = false) => {
    const on = (e: Event) => (setF({ ...f, [k]: (e.target as HTMLInputElement).value }), setPreview(undefined));
    return (
      <label>
        {t(`cal.${k}` as 'cal.title')}
        {multi ? <textarea rows={2} value={f[k]} onInput={on} /> : <input value={f[k]} onInput={on} name={k} />}
      </label>
    );
  };
  return (
    <details class="card">
      <summary>{t('cal.newLive')}</summary>
      <div class="form">
        {field('title')}
        {field('start')}
        {field('offers', true)}
        {field('products', true)}
        {field('reminders')}
      </div>
      <button onClick={() => run('preview')} disabled={!f.title || !f.start}>
        {t('cal.preview')}
      </button>
      {error && <pre class="error">{error}</pre>}
      {preview && (
        <div data-testid="live-preview">
          {preview.warnings.map((w) => (
            <p class="warn">{w}</p>
          ))}
          <p class="meta">{preview.groups.map((g) => g.name).join('、')}</p>
          <Messages messages={preview.messages} />
          <img class="poster" src={preview.poster} alt={preview.title} />
          <button onClick={() => run('schedule')}>{t('cal.schedule')}</button>
        </div>
      )}
    </details>
  );
}

function NewDrop({ demo, done }: { demo: boolean; done: () => void }) {
  const [f, setF] = useState({ name: '', stock: '100', keyword: '领券', perUser: '1' });
  const [error, setError] = useState<string>();
  const create = async () => {
    setError(undefined);
    try {
      await post('/coupon/drops', { name: f.name, stock: Number(f.stock), keyword: f.keyword, perUser: Number(f.perUser) }, demo);
      setF({ ...f, name: '' });
      done();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <details class="card">
      <summary>{t('cal.newDrop')}</summary>
      <div class="form">
        {(['name', 'stock', 'keyword', 'perUser'] as const).map((k) => (
          <label>
            {t(k === 'name' ? 'cal.dropName' : (`cal.${k}` as 'cal.stock'))}
            <input value={f[k]} onInput={(e) => setF({ ...f, [k]: (e.target as HTMLInputElement).value })} name={k} inputMode={k === 'stock' || k === 'perUser' ? 'numeric' : 'text'} />
          </label>
        ))}
      </div>
      <button onClick={create} disabled={!f.name}>
        {t('cal.create')}
      </button>
      {error && <pre class="error">{error}</pre>}
    </details>
  );
}

/** 直播与优惠券: upcoming lives with their messages and poster; drops whose counts update as fans claim. */
export function Calendar({ demo }: { demo: boolean }) {
  const lives = useLoad(() => api<{ sessions: Session[] }>('/live/sessions', { demo }), [demo], { demo, topics: ['lives'] });
  const drops = useLoad(() => api<{ drops: Drop[] }>('/coupon/drops', { demo }), [demo], { demo, topics: ['coupons'] });
  const upcoming = lives.data?.sessions.filter((s) => Date.parse(s.end) > Date.now()).sort((a, b) => a.start.localeCompare(b.start));
  return (
    <section class="grid2">
      <div>
        <h3>{t('cal.lives')}</h3>
        {lives.error && <p class="error">{lives.error}</p>}
        {upcoming?.length === 0 && <p class="muted">{t('cal.noLives')}</p>}
        <ul class="plain">
          {upcoming?.map((s) => (
            <LiveCard key={s.id} s={s} demo={demo} reload={lives.reload} />
          ))}
        </ul>
        <NewLive demo={demo} done={lives.reload} />
      </div>
      <div>
        <h3>{t('cal.drops')}</h3>
        {drops.error && <p class="error">{drops.error}</p>}
        {drops.data?.drops.length === 0 && <p class="muted">{t('cal.noDrops')}</p>}
        <ul class="plain">
          {drops.data?.drops.map((d) => (
            <li class="card" data-testid="drop">
              <h4>{d.name}</h4>
              <p class="meta">
                {t('cal.keywordShort')} 「{d.keyword}」 · {fmtTime(d.starts)}
                {d.ends ? ` – ${fmtTime(d.ends)}` : ''} · {d.groups.map((g) => g.name).join('、')}
              </p>
              <progress max={d.stock} value={d.claimed} />
              <p data-testid="drop-count">{t('cal.claimed', { claimed: d.claimed, stock: d.stock, remaining: d.remaining })}</p>
            </li>
          ))}
        </ul>
        <NewDrop demo={demo} done={drops.reload} />
      </div>
    </section>
  );
}
