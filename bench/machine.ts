import { cpus, freemem, loadavg, release, totalmem } from 'node:os';

/**
 * The lines every benchmark section opens with: when it ran and on what (Node, CPU, cores, memory, kernel,
 * load at the start), so that figures from different machines or runs are never read as one series.
 */
export function machineDescription(extra: string[] = []): string[] {
  const cpu = cpus();
  const gb = (bytes: number) => (bytes / 1024 ** 3).toFixed(1);
  return [
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Node: ${process.version} (${process.platform}/${process.arch}, Linux ${release()})`,
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores; RAM ${gb(totalmem())} GB (${gb(freemem())} GB free at start)`,
    `- Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
    ...extra.map((line) => `- ${line}`),
  ];
}
