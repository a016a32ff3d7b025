/** Reading Prometheus' text exposition format in tests. */
export interface Scrape {
  text: string;
  /** The sample's value, 0 when the series is absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** Whether any sample of `name` (or a HELP/TYPE line) is there. */
  has(name: string): boolean;
  /** The label sets of every sample of `name`. */
  series(name: string): Array<Record<string, string>>;
}

function parseLabels(raw: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!raw) return labels;
  for (const match of raw.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[match[1]] = match[2];
  return labels;
}

export function parseScrape(text: string): Scrape {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match) samples.push({ name: match[1], labels: parseLabels(match[2]), value: Number(match[3]) });
  }
  const matches = (labels: Record<string, string>, wanted: Record<string, string>) =>
    Object.entries(wanted).every(([k, v]) => labels[k] === v);
  return {
    text,
    value: (name, labels = {}) =>
      samples.filter((s) => s.name === name && matches(s.labels, labels)).reduce((sum, s) => sum + s.value, 0),
    has: (name) => samples.some((s) => s.name === name) || text.includes(`# TYPE ${name} `),
    series: (name) => samples.filter((s) => s.name === name).map((s) => s.labels),
  };
}

/** GETs `url` and parses it; fails on anything but 200. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  return parseScrape(await res.text());
}
