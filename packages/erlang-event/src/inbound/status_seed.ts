/**
 * `status-format=seed` (DECISIONS.md): the seed document's 2008-era `status` text, built from
 * today's output:
 *
 *   Content-Type: text/html\n\nUP …\nN session(s) since startup\nC session(s) R/MAX\n
 */
export function seedStatus(modern: string): string {
  const lines = modern.split('\n');
  const up = lines.find((l) => l.startsWith('UP ')) ?? lines[0] ?? '';
  const since = /^(\d+) session\(s\) since startup/.exec(lines.find((l) => l.includes('since startup')) ?? '')?.[1] ?? '0';
  const current = /^(\d+) session\(s\) - peak/.exec(lines.find((l) => l.includes('- peak')) ?? '')?.[1] ?? '0';
  const rate = /^(\d+) session\(s\) per Sec out of max (\d+)/.exec(lines.find((l) => l.includes('per Sec')) ?? '');
  return `Content-Type: text/html\n\n${up}\n${since} session(s) since startup\n${current} session(s) ${rate?.[1] ?? '0'}/${rate?.[2] ?? '30'}\n`;
}
