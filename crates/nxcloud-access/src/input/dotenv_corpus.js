// Regenerates dotenv_corpus.json: the outputs of the two npm dotenv parsers
// (dotenv 16.4.7 as Nx 19.6.7 ships it; dotenv 10.0.0 as nx-cloud 19.1.3 ships it)
// on generated inputs. Run it where `npm i nx@19.6.7 nx-cloud@19.1.3` installed both:
//   node dotenv_corpus.js > dotenv_corpus.json
// Differential corpus: both npm dotenv parsers on generated inputs.
const nx = require('dotenv');                       // 16.4.7, Nx's own parser
const client = require('nx-cloud/node_modules/dotenv'); // 10.0.0, the client's
let seed = 20261123;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const pick = (a) => a[rnd(a.length)];
const keys = ['A', 'NX_CLOUD_ACCESS_TOKEN', 'b.c-d', 'export A', 'export  B', '  K', 'export', 'X Y', '9'];
const seps = ['=', ' = ', '= ', ': ', ':', ' :', '=\t', ':\n', '=\n'];
const pieces = ['tok', 'a b', ' ', '#', ' # c', '#c', "'", '"', '`', "\\'", '\\"', '\\n', '$A', '${A}', 'x=y', '\t', '\n', '\r\n', '=', ':', "'a\nb'", '"q\nq"', '`r\nr`', '\\', ' export ', '\u00a0', '\ufeff', '\r', "'\n", '"\n', '#\'', '\'#'];
const cases = [];
for (let i = 0; i < 1500; i++) {
  let text = '';
  const lines = 1 + rnd(4);
  for (let l = 0; l < lines; l++) {
    text += pick(keys) + pick(seps);
    const n = rnd(6);
    for (let p = 0; p < n; p++) text += pick(pieces);
    text += pick(['\n', '\r\n', '\n\n', '']);
  }
  const toPairs = (o) => Object.entries(o);
  cases.push({ text, nx: toPairs(nx.parse(text)), client: toPairs(client.parse(text)) });
}
console.log(JSON.stringify(cases, null, 0));
