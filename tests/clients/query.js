// Runs one SPARQL SELECT with Comunica over a source URL and prints every
// binding as JSON: {var: {value, termType, language, datatype}} per line.
// Comunica is given the bare URL, so it must discover from the response
// (the Service Description) that the source is a SPARQL endpoint.
const { QueryEngine } = require('@comunica/query-sparql');

(async () => {
  const [source, query] = process.argv.slice(2);
  const engine = new QueryEngine();
  const stream = await engine.queryBindings(query, { sources: [source] });
  for (const bindings of await stream.toArray()) {
    const row = {};
    for (const [variable, term] of bindings) {
      row[variable.value] = {
        value: term.value,
        termType: term.termType,
        language: term.language || '',
        datatype: term.datatype ? term.datatype.value : '',
      };
    }
    console.log(JSON.stringify(row));
  }
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
