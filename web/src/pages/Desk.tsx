import { useState } from 'preact/hooks';
import { api, post } from '../api';
import { t } from '../texts';
import { fmtTime, useLoad } from '../util';

interface Suggestion { text: string; source: string; tone?: string; basis?: string }
interface Escalation { id: string; createdAt: string; group: string; fan: string; text: string; intent: string; suggestions: Suggestion[] }
interface Source { doc: string; section: string; text: string }

function Copy({ text }: { text: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain http on another machine): select the text the old way.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button class="small" onClick={copy} data-testid="copy">
      {done ? t('desk.copied') : t('desk.copy')}
    </button>
  );
}

function Suggest({ demo }: { demo: boolean }) {
  const [message, setMessage] = useState('');
  const [result, setResult] = useState<{ intent: string; confidence: number; suggestions: Suggestion[] } | undefined>();
  const [error, setError] = useState<string>();
  const go = async () => {
    setError(undefined);
    try {
      setResult(await post('/cs/reply', { message }, demo));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div class="card">
      <h3>{t('desk.paste')}</h3>
      <textarea rows={3} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} placeholder={t('desk.pastePlaceholder')} data-testid="paste" />
      <button onClick={go} disabled={!message.trim()}>
        {t('desk.suggest')}
      </button>
      {error && <p class="error">{error}</p>}
      {result && (
        <div data-testid="suggestions">
          <p>
            {t('desk.intent')}：<b>{result.intent}</b> · {t('desk.confidence')} {(result.confidence * 100).toFixed(0)}%
          </p>
          <ol class="suggestions">
            {result.suggestions.map((s) => (
              <li>
                <p>{s.text}</p>
                <div class="meta">
                  <span>
                    {t('desk.source')}：{s.source}
                    {s.basis ? ` · ${s.basis}` : ''}
                  </span>
                  <Copy text={s.text} />
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}

function Item({ e, demo, onDone }: { e: Escalation; demo: boolean; onDone: () => void }) {
  const [editing, setEditing] = useState<string | undefined>();
  const [status, setStatus] = useState<string>();
  const decide = async (body: Record<string, unknown>) => {
    try {
      const r = await post<{ status: string; reason?: string }>(`/cs/escalations/${e.id}`, body, demo);
      setStatus(r.status === 'sent' ? t('desk.done.sent') : r.status === 'ignored' ? t('desk.done.ignored') : `${r.status} ${r.reason ?? ''}`);
      setTimeout(onDone, 800);
    } catch (err) {
      setStatus((err as Error).message);
    }
  };
  return (
    <li class="card escalation" data-testid="escalation">
      <div class="meta">
        {fmtTime(e.createdAt)} · {e.group} · {e.fan} · {e.intent}
      </div>
      <p class="quote">{e.text}</p>
      {status ? (
        <p class="done">{status}</p>
      ) : editing !== undefined ? (
        <div>
          <textarea rows={3} value={editing} onInput={(x) => setEditing((x.target as HTMLTextAreaElement).value)} />
          <button onClick={() => decide({ action: 'send', text: editing })}>{t('desk.sendEdited')}</button>
          <button class="ghost" onClick={() => setEditing(undefined)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <ol class="suggestions">
          {e.suggestions.map((s, i) => (
            <li>
              <p>{s.text}</p>
              <div class="buttons">
                <button class="small" onClick={() => decide({ action: 'send', suggestion: i })} data-testid="esc-send">
                  {t('common.send')}
                </button>
                <button class="small ghost" onClick={() => setEditing(s.text)}>
                  {t('desk.edit')}
                </button>
                <button class="small ghost" onClick={() => decide({ action: 'ignore' })}>
                  {t('desk.ignore')}
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

function Search({ demo }: { demo: boolean }) {
  const [q, setQ] = useState('');
  const [r, setR] = useState<{ found: boolean; answer: string; sources: Source[] }>();
  const go = async () => setR(await api(`/kb/search?q=${encodeURIComponent(q)}`, { demo }));
  return (
    <div class="card">
      <h3>{t('desk.search')}</h3>
      <form class="row" onSubmit={(e) => (e.preventDefault(), go())}>
        <input value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} placeholder={t('desk.searchPlaceholder')} />
        <button disabled={!q.trim()}>{t('desk.searchGo')}</button>
      </form>
      {r && !r.found && <p>{t('desk.notFound')}</p>}
      {r?.found && (
        <div>
          <p class="answer">{r.answer}</p>
          {r.sources.map((s) => (
            <blockquote>
              <p>{s.text}</p>
              <cite>
                《{s.doc}》{s.section}
              </cite>
            </blockquote>
          ))}
        </div>
      )}
    </div>
  );
}

/** 客服台: suggested replies for a pasted message, the escalation queue, the playbook search. */
export function Desk({ demo }: { demo: boolean }) {
  const queue = useLoad(() => api<{ items: Escalation[] }>('/cs/escalations', { demo }), [demo], { demo, topics: ['escalations'] });
  return (
    <section class="grid2">
      <div>
        <Suggest demo={demo} />
        <Search demo={demo} />
      </div>
      <div>
        <h3>{t('desk.queue')}</h3>
        {queue.error && <p class="error">{queue.error}</p>}
        {queue.data?.items.length === 0 && <p class="muted">{t('desk.queueEmpty')}</p>}
        <ul class="plain">
          {queue.data?.items.map((e) => (
            <Item key={e.id} e={e} demo={demo} onDone={queue.reload} />
          ))}
        </ul>
      </div>
    </section>
  );
}
