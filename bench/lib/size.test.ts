import { describe, expect, it } from 'vitest';
import { group, importClosure, staticImports } from './size';

describe('staticImports', () => {
  it('finds relative import/export-from and bare side-effect imports, not dynamic ones or packages', () => {
    const code = [
      'import { a as e, n as t } from "./create-X.js";',
      'import "./side.js";',
      'export { x } from "../up.js";',
      'import React from "react";',
      'const w = import("./lazy.js");',
    ].join('\n');
    expect(staticImports(code)).toEqual(['./create-X.js', './side.js', '../up.js']);
  });
});

describe('importClosure', () => {
  it('follows chunks transitively, once each', () => {
    const files: Record<string, string> = {
      'entry.js': 'import { a } from "./a.js";\nimport "./b.js";',
      'a.js': 'import { b } from "./b.js";',
      'b.js': 'export const b = 1;',
      'unused.js': '',
    };
    expect(importClosure('entry.js', (f) => files[f]!).sort()).toEqual(['a.js', 'b.js', 'entry.js']);
  });
});

describe('group', () => {
  it('adds raw and gzip sizes', () => {
    const g = group('x', [{ file: 'a', bytes: 10, gzip: 5 }, { file: 'b', bytes: 20, gzip: 7 }]);
    expect(g).toMatchObject({ bytes: 30, gzip: 12 });
  });
});
