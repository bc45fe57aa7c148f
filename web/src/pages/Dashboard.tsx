import { useState } from 'preact/hooks';
import { api, pictureUrl, post, token } from '../api';
import { Chart, type ChartSpec } from '../Chart';
import { t } from '../texts';
import { fmtValue, useLoad } from '../util';

interface Item { metric: string; label: string; unit: string; value: number | null; previous: number | null; change: number | null }
interface Kpi { text: string; chart?: string; chartSpec?: ChartSpec }

function Change({ change }: { change: number | null }) {
  if (change === null) return <span class="muted">—</span>;
  const up = change >= 0;
  return <span class={up ? 'up' : 'down'}>{`${up ? '▲' : '▼'} ${Math.abs(change * 100).toFixed(1)}%`}</span>;
}

/** Uploads with progress (XMLHttpRequest: fetch cannot report an upload's progress). */
function upload(path: string, file: File, onProgress: (pct: number) => void): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${path}?name=${encodeURIComponent(file.name)}`);
    const tk = token();
    if (tk) xhr.setRequestHeader('authorization', `Bearer ${tk}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText || '{}');
      if (xhr.status === 200) resolve(body);
      else reject(new Error(body?.error?.message ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(file);
  });
}

/** 数据看板: yesterday's core numbers against the day before, KPI questions drawn in the page, importing an export. */
export function Dashboard({ demo }: { demo: boolean }) {
  const dash = useLoad(() => api<{ day: string; items: Item[]; coverage: unknown }>('/kpi/dashboard', { demo }), [demo]);
  const [q, setQ] = useState('');
  const [answer, setAnswer] = useState<Kpi>();
  const [error, setError] = useState<string>();
  const [progress, setProgress] = useState<string>();
  const [imported, setImported] = useState<{ ok: boolean; text: string }>();
  const ask = async (question: string) => {
    setError(undefined);
    try {
      setAnswer(await post<Kpi>('/kpi', { question }, demo));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const importFile = async (file: File | undefined) => {
    if (!file) return;
    setImported(undefined);
    try {
      const s = await upload(demo ? '/api/playground/kpi/import' : '/api/kpi/import', file, (pct) => setProgress(pct < 100 ? t('dash.uploading', { pct }) : t('dash.importing')));
      setImported({ ok: true, text: t('dash.imported', { file: String(s.file), rows: String(s.rows), added: String(s.added), replaced: String(s.replaced), first: String(s.first ?? ''), last: String(s.last ?? '') }) });
      dash.reload();
    } catch (e) {
      setImported({ ok: false, text: (e as Error).message });
    } finally {
      setProgress(undefined);
    }
  };
  const download = async () => {
    if (!answer?.chart) return;
    const a = document.createElement('a');
    a.href = await pictureUrl(answer.chart);
    a.download = 'kpi.png';
    a.click();
  };
  const empty = dash.data && dash.data.items.every((i) => i.value === null);
  return (
    <section>
      {dash.data && <h3>{t('dash.yesterday', { day: dash.data.day })}</h3>}
      {dash.error && <p class="error">{dash.error}</p>}
      {empty && <p class="muted">{t('dash.noData')}</p>}
      <div class="tiles" data-testid="tiles">
        {dash.data?.items.map((i) => (
          <div class="tile">
            <div class="label">{i.label}</div>
            <div class="value">{fmtValue(i.value, i.unit)}</div>
            <Change change={i.change} />
          </div>
        ))}
      </div>
      <div class="card">
        <form class="row" onSubmit={(e) => (e.preventDefault(), ask(q))}>
          <input value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} placeholder={t('dash.askPlaceholder')} data-testid="kpi-question" />
          <button disabled={!q.trim()}>{t('dash.ask')}</button>
        </form>
        {error && <p class="error">{error}</p>}
        {answer && (
          <div data-testid="kpi-answer">
            <pre class="answer">{answer.text}</pre>
            {answer.chartSpec && <Chart spec={answer.chartSpec} />}
            {answer.chart && (
              <button class="small ghost" onClick={download}>
                {t('dash.downloadChart')}
              </button>
            )}
          </div>
        )}
      </div>
      <div class="card">
        <h3>{t('dash.import')}</h3>
        <label
          class="drop"
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => (e.preventDefault(), importFile(e.dataTransfer?.files[0]))}
        >
          {progress ?? t('dash.drop')}
          <input type="file" accept=".csv,.tsv,.txt" hidden onChange={(e) => importFile((e.target as HTMLInputElement).files?.[0])} data-testid="import-file" />
        </label>
        {imported && <p class={imported.ok ? 'done' : 'error'} data-testid="import-result">{imported.text}</p>}
      </div>
    </section>
  );
}
