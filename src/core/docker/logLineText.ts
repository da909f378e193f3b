/**
 * One timestamp per service log line. Docker's `--timestamps` prefixes every line with its own
 * RFC 3339 time (nanoseconds), and Redis writes its own in front of its message
 * (`1:M 30 Nov 2026 23:05:11.123 * Ready to accept connections`, serverLogRaw in server.c), so
 * each line carried the same moment twice. Docker's is kept (every line has it, Redis's or not,
 * and it sorts), cut to milliseconds; Redis's date is dropped, its pid, role and level kept.
 */

const DOCKER_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}) /;
/** `pid:role dd Mon yyyy hh:mm:ss.mmm ` (role X, C, S or M). */
const REDIS_TIME = /^(\d+:[XCSM]) \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} /;

export function oneTimestamp(line: string): string {
  const d = DOCKER_TIME.exec(line);
  if (!d) return line;
  const ms = (d[2] ?? '').padEnd(3, '0').slice(0, 3);
  const rest = line.slice(d[0].length).replace(REDIS_TIME, '$1 ');
  return `${d[1]}.${ms}${d[3]} ${rest}`;
}
