// Line-oriented logging to stderr: `time level message`. VXVEM_LOG=debug shows learn/move events.
export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function stderrLogger(component: string, level = process.env.VXVEM_LOG ?? 'info'): Logger {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const line = (l: number) => (msg: string): void => {
    if (l >= min) process.stderr.write(`${new Date().toISOString()} ${LEVELS[l]} ${component}: ${msg}\n`);
  };
  return { debug: line(0), info: line(1), warn: line(2), error: line(3) };
}
