import { useCallback, useEffect, useState } from 'preact/hooks';
import { watch } from './api';

/** Loads with `load`, again when `deps` change or the server says one of `topics` changed. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], live?: { demo: boolean; topics: string[] }) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const reload = useCallback(() => {
    load().then(
      (d) => (setData(d), setError(undefined)),
      (e: Error) => setError(e.message),
    );
  }, deps);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (!live) return;
    return watch(live.demo, (topics) => {
      if (topics.some((x) => x === '*' || live.topics.includes(x))) reload();
    });
  }, [live?.demo, reload]);
  return { data, error, reload };
}

/** The shop's time zone (OPSBOT_TZ), told by the server at start: times read as the shop reads them. */
let shopTz: string | undefined;
export const setShopTz = (tz: string) => void (shopTz = tz);

export const fmtTime = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(shopTz ? { timeZone: shopTz } : {}) });

export function fmtValue(v: number | null, unit: string): string {
  if (v === null) return '—';
  if (unit === 'ratio') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'yuan') return `¥${v.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return v.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}
