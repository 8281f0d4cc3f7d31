// Serves the package's golden responses and event streams from a local
// HTTP server and reads them with npm openai's client, the way
// client.responses.create and client.responses.stream read OpenAI's.
// Not run by go test or CI; see README.md.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const OpenAI = require('openai');

const golden = path.join(__dirname, '..', 'golden');

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const { model } = JSON.parse(body); // the golden file to serve
    const file = path.join(golden, model);
    if (req.method !== 'POST' || req.url !== '/v1/responses' || !fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'no ' + model, type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    const sse = model.endsWith('.sse');
    res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json' });
    res.end(fs.readFileSync(file));
  });
});

let failures = 0;
function check(name, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  if (!ok) failures++;
}

async function main() {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${server.address().port}/v1`, maxRetries: 0 });
  const files = fs.readdirSync(golden).sort();

  for (const f of files.filter((f) => f.startsWith('response-'))) {
    try {
      const r = await client.responses.create({ model: f, input: 'hi' });
      const calls = r.output.filter((o) => o.type === 'function_call').length;
      check(f, r.object === 'response' && r.id.startsWith('resp_') && (r.output_text.length > 0 || calls > 0 || r.output[0].content[0].type === 'refusal'),
        `status=${r.status} output_text=${JSON.stringify(r.output_text)} function_calls=${calls}`);
    } catch (e) {
      check(f, false, String(e));
    }
  }

  for (const f of files.filter((f) => f.startsWith('stream-') && f !== 'stream-fail.sse')) {
    // The raw event iterator.
    try {
      const stream = await client.responses.create({ model: f, input: 'hi', stream: true });
      const types = [];
      for await (const ev of stream) types.push(ev.type);
      check(f + ' (create, stream: true)', types[0] === 'response.created' && /^response\.(completed|incomplete)$/.test(types[types.length - 1]),
        `${types.length} events`);
    } catch (e) {
      check(f + ' (create, stream: true)', false, String(e));
    }
    // The helper that accumulates the events and checks their indices.
    try {
      const stream = client.responses.stream({ model: f, input: 'hi' });
      let deltas = '';
      stream.on('response.output_text.delta', (e) => (deltas = e.snapshot));
      const args = {};
      stream.on('response.function_call_arguments.delta', (e) => (args[e.item_id] = e.snapshot));
      const r = await stream.finalResponse();
      const calls = r.output.filter((o) => o.type === 'function_call');
      const argsOK = calls.every((c) => args[c.id] === c.arguments && JSON.parse(c.arguments) !== undefined);
      check(f + ' (responses.stream)', deltas === r.output_text && argsOK && r.usage.total_tokens > 0,
        `status=${r.status} output_text=${JSON.stringify(r.output_text)} function_calls=${calls.map((c) => c.name + c.arguments).join(' ')}`);
    } catch (e) {
      check(f + ' (responses.stream)', false, String(e));
    }
  }

  // A failed stream: the client throws at the error event, as for OpenAI's.
  try {
    const stream = await client.responses.create({ model: 'stream-fail.sse', input: 'hi', stream: true });
    for await (const _ of stream);
    check('stream-fail.sse', false, 'no error thrown');
  } catch (e) {
    check('stream-fail.sse', e instanceof OpenAI.APIError && /Rate limit/.test(e.message), `${e.constructor.name}: ${e.message}`);
  }

  server.close();
  console.log(failures ? `${failures} failed` : 'all passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
