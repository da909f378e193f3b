/**
 * Splits one redis.conf line into arguments (the quoting renderRedisConf writes: double quotes
 * with \" \\ and \xHH escapes, or bare words).
 */
export function splitConfArgs(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          v += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (line[i] === '\\' && i + 1 < line.length) {
          v += line[i + 1];
          i += 2;
        } else {
          v += line[i];
          i++;
        }
      }
      i++;
      out.push(v);
    } else {
      let v = '';
      while (i < line.length && !/\s/.test(line[i] as string)) v += line[i++];
      out.push(v);
    }
  }
  return out;
}
