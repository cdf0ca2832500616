// Size accounting of the library build (bench/widget-size.ts). Pure: which emitted files a page actually loads, and
// how they add up; the script does the building, reading and gzipping.

/** Relative static imports of an ES module (`import … from "./x.js"`, `export … from "./x.js"`, `import "./x.js"`). */
export function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*${},\s]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g;
  for (let m = re.exec(code); m; m = re.exec(code)) out.push(m[1]!);
  return out;
}

/** The entry and every chunk it statically imports, transitively (paths relative to the build folder, posix). */
export function importClosure(entry: string, read: (file: string) => string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const spec of staticImports(read(file))) visit(normalize(dir + spec));
  };
  visit(entry);
  return [...seen];
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

export interface SizedFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface SizeGroup {
  name: string;
  files: SizedFile[];
  bytes: number;
  gzip: number;
}

/** Gzip of a group = sum of each file's gzip: files are fetched (and compressed) one by one. */
export function group(name: string, files: SizedFile[]): SizeGroup {
  return {
    name,
    files,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    gzip: files.reduce((a, f) => a + f.gzip, 0),
  };
}
