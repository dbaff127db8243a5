// Regenerates dotenv_expand_corpus.json: how Nx (dotenv 16.4.7 + dotenv-expand
// 11.0.7, as nx 19.6.7 ships them) loads `.local.env`, `.env.local`, `.env`
// into an environment. Run where `npm i nx@19.6.7` is installed:
//   node dotenv_expand_corpus.js > dotenv_expand_corpus.json
const dotenv = require('dotenv');
const { expand } = require('dotenv-expand');
let seed = 77;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const pick = (a) => a[rnd(a.length)];
const keys = ['A', 'B', 'C', 'REAL', 'EMPTY', 'TOKEN'];
const vals = ['x', '$A', '${B}', '${C:-dflt}', '${MISSING-d2}', '\\$A', '$REAL', '${EMPTY:-e}', '$TOKEN', 'p${A}q', '$A$B', "'$A'", '"${B}"', '${A', '$(A)', '$', ''];
const cases = [];
for (let i = 0; i < 800; i++) {
  const real = { REAL: 'r' };
  if (rnd(2)) real.EMPTY = '';
  if (rnd(3) === 0) real.A = 'realA';
  const files = {};
  for (const f of ['.local.env', '.env.local', '.env']) {
    if (rnd(3) === 0) continue;
    let text = '';
    const n = 1 + rnd(4);
    for (let l = 0; l < n; l++) {
      let v = '';
      const m = 1 + rnd(2);
      for (let p = 0; p < m; p++) v += pick(vals);
      text += pick(keys) + '=' + v + '\n';
    }
    files[f] = text;
  }
  const env = { ...real };
  try {
    for (const f of ['.local.env', '.env.local', '.env']) {
      if (!(f in files)) continue;
      const parsed = dotenv.parse(files[f]);
      for (const k of Object.keys(parsed)) if (!Object.prototype.hasOwnProperty.call(env, k)) env[k] = parsed[k];
      expand({ parsed, processEnv: env });
    }
  } catch (e) {
    continue; // a reference cycle overflows Nx's stack: Nx itself crashes there
  }
  cases.push({ real, files, env });
}
console.log(JSON.stringify(cases));
