// Serves the package's golden responses and event streams from a local
// HTTP server to the Vercel AI SDK's default OpenAI model (the Responses
// API): generateText for the responses, streamText for the streams. Not
// run by go test or CI; see README.md.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { generateText, streamText } = require('ai');
const { createOpenAI } = require('@ai-sdk/openai');

const golden = path.join(__dirname, '..', 'golden');
const expect = {
  'chat-length': { finish: 'length' },
  'chat-reasoning': { finish: 'stop', reasoning: true },
  'chat-refusal': { finish: 'content-filter' },
  'openai-chat-tools': { finish: 'tool-calls', tools: 1 },
  'openai-chat': { finish: 'stop' },
  'chat-text-tools-stream': { finish: 'tool-calls', tools: 2 },
  'openai-chat-tools-stream': { finish: 'tool-calls', tools: 2 },
  'chat-length-stream': { finish: 'length' },
  'chat-reasoning-stream': { finish: 'stop', reasoning: true },
  'openai-chat-stream': { finish: 'stop' },
  fail: { finish: 'error' },
};

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const { model } = JSON.parse(body);
    res.writeHead(200, { 'content-type': model.endsWith('.sse') ? 'text/event-stream' : 'application/json' });
    res.end(fs.readFileSync(path.join(golden, model)));
  });
});

let failures = 0;
function check(name, r) {
  const want = expect[name.replace(/^(response|stream)-/, '').replace(/\.(json|sse)$/, '')];
  const ok = r.finishReason === want.finish && r.toolCalls.length === (want.tools || 0) &&
    !!r.reasoningText === !!want.reasoning && (want.finish === 'error' || r.usage.totalTokens > 0);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: finish=${r.finishReason} text=${JSON.stringify(r.text)} ` +
    `tools=${JSON.stringify(r.toolCalls.map((c) => [c.toolName, c.input]))} reasoning=${JSON.stringify(r.reasoningText || '')}`);
  if (!ok) failures++;
}

async function main() {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const openai = createOpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${server.address().port}/v1` });
  for (const f of fs.readdirSync(golden).sort()) {
    try {
      if (f.startsWith('response-')) {
        check(f, await generateText({ model: openai(f), prompt: 'hi', maxRetries: 0 }));
      } else if (f.startsWith('stream-')) {
        const s = streamText({ model: openai(f), prompt: 'hi', maxRetries: 0, onError: () => {} });
        for await (const _ of s.fullStream);
        check(f, { finishReason: await s.finishReason, text: await s.text, toolCalls: await s.toolCalls,
          reasoningText: await s.reasoningText, usage: await s.usage });
      }
    } catch (e) {
      console.log(`FAIL ${f}: ${e}`);
      failures++;
    }
  }
  server.close();
  console.log(failures ? `${failures} failed` : 'all passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
