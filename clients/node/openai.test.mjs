// openai-node against the gateway's OpenAI endpoints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { fixtureJSON, gatewayURL, openai, recordingFetch, requestID, sseJSON, withID } from './helpers.mjs';

const chatFixture = fixtureJSON('openai-chat.json');
const streamText = sseJSON('openai-chat-stream.sse')
  .flatMap((c) => c.choices)
  .map((c) => c.delta.content ?? '')
  .join('');
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};
const user = (content) => [{ role: 'user', content }];

test('chat: non-streaming answer passes through whole', async (t) => {
  const id = requestID(t, 'success');
  const { data, response } = await openai()
    .chat.completions.create({ model: 'gpt-4o-mini', messages: user(`Hi 👋 ${id}`) }, withID(id))
    .withResponse();
  assert.equal(response.headers.get('x-request-id'), id);
  assert.equal(data.choices[0].message.content, chatFixture.choices[0].message.content);
  assert.equal(data.system_fingerprint, chatFixture.system_fingerprint);
  assert.deepEqual(data.usage, chatFixture.usage);
  assert.deepEqual(data, chatFixture);
});

test('chat: stream with stream_options.include_usage', async (t) => {
  const id = requestID(t, 'success');
  const stream = await openai().chat.completions.create(
    { model: 'gpt-4o-mini', messages: user(`Hi, stream ${id}`), stream: true, stream_options: { include_usage: true } },
    withID(id),
  );
  let text = '';
  const usage = [];
  let finish = null;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
    if (chunk.usage) {
      assert.deepEqual(chunk.choices, [], 'the usage chunk has no choices');
      usage.push(chunk.usage);
    }
  }
  assert.equal(text, streamText);
  assert.equal(finish, 'stop');
  assert.equal(usage.length, 1, 'one usage chunk');
  assert.equal(usage[0].total_tokens, 29);
});

test('chat: stream helper and finalChatCompletion()', async (t) => {
  const id = requestID(t, 'success');
  const stream = openai().chat.completions.stream(
    { model: 'gpt-4o-mini', messages: user(`Hi, helper ${id}`), stream_options: { include_usage: true } },
    withID(id),
  );
  let deltas = '';
  stream.on('content', (delta) => {
    deltas += delta;
  });
  const final = await stream.finalChatCompletion();
  assert.equal(deltas, streamText);
  assert.equal(final.choices[0].message.content, streamText);
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.equal(final.usage?.total_tokens, 29);
  assert.equal(final.system_fingerprint, 'fp_560af6e559');
});

test('tools: non-streaming tool_calls', async (t) => {
  const id = requestID(t, 'success');
  const r = await openai().chat.completions.create(
    { model: 'gpt-4o-mini', messages: user(`Weather in Boston? ${id}`), tools: [weatherTool] },
    withID(id),
  );
  const choice = r.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.id, 'call_8xQm2Vn4Kd7Lp1Rz9Tb3Ws6Y');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Boston, MA' });
});

test('tools: streamed arguments accumulated by the stream helper', async (t) => {
  const id = requestID(t, 'success');
  const stream = openai().chat.completions.stream(
    { model: 'gpt-4o-mini', messages: user(`Weather in Boston and Paris? ${id}`), tools: [weatherTool] },
    withID(id),
  );
  const done = [];
  stream.on('tool_calls.function.arguments.done', (e) => done.push(e));
  const final = await stream.finalChatCompletion();
  const calls = final.choices[0].message.tool_calls;
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(
    calls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
    [
      ['get_weather', { location: 'Boston, MA' }],
      ['get_weather', { location: 'Paris, FR' }],
    ],
  );
  assert.deepEqual(
    done.map((e) => e.arguments),
    ['{"location": "Boston, MA"}', '{"location": "Paris, FR"}'],
  );
});

const embeddingFixture = fixtureJSON('openai-embeddings.json').data[0].embedding;

for (const [name, format] of [
  ['SDK default (the SDK asks for base64 and decodes it)', undefined],
  ['float', 'float'],
]) {
  test(`embeddings: ${name}`, async (t) => {
    const id = requestID(t, 'success');
    const sent = [];
    const body = { model: 'text-embedding-3-small', input: `The food was delicious ${id}` };
    if (format) body.encoding_format = format;
    const r = await openai({ fetch: recordingFetch(sent) }).embeddings.create(body, withID(id));
    assert.equal(JSON.parse(sent[0].body).encoding_format, format ?? 'base64');
    assert.equal(r.data.length, 1);
    const v = r.data[0].embedding;
    assert.ok(Array.isArray(v), `embedding is ${typeof v}`);
    // float32 on the wire either way: compare as float32.
    assert.deepEqual(v.map(Math.fround), embeddingFixture.map(Math.fround));
    assert.equal(r.usage.prompt_tokens, 5);
  });
}

test('legacy completions: completions.create', async (t) => {
  const id = requestID(t, 'success');
  const r = await openai().completions.create(
    { model: 'gpt-3.5-turbo-instruct', prompt: `Say this is a test ${id}`, max_tokens: 7 },
    withID(id),
  );
  assert.equal(r.choices[0].text, '\n\nThis is indeed a test');
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.total_tokens, 12);
});

test('legacy completions: stream', async (t) => {
  const id = requestID(t, 'success');
  const stream = await openai().completions.create(
    { model: 'gpt-3.5-turbo-instruct', prompt: `Say this is a test ${id}`, max_tokens: 7, stream: true },
    withID(id),
  );
  let text = '';
  for await (const chunk of stream) for (const c of chunk.choices) text += c.text;
  assert.equal(text, '\n\nThis is indeed a test');
});

test('models.list()', async (t) => {
  const id = requestID(t, 'none');
  const page = await openai().models.list(withID(id));
  assert.ok(Array.isArray(page.data));
  for await (const m of page) {
    assert.equal(typeof m.id, 'string');
    assert.equal(m.object, 'model');
  }
});

test('a 429 surfaces as RateLimitError', async (t) => {
  const id = requestID(t, 'failure');
  const want = fixtureJSON('openai-error-429-rate-limit.json').error;
  await assert.rejects(
    openai().chat.completions.create({ model: 'openai/rate-limited', messages: user(`Hi ${id}`) }, withID(id)),
    (err) => {
      assert.ok(err instanceof OpenAI.RateLimitError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 429);
      assert.equal(err.error?.message, want.message);
      assert.ok(err.message.includes(want.message), err.message);
      assert.equal(err.code, want.code);
      assert.equal(err.type, want.type);
      assert.ok(err.headers?.get('retry-after'), 'retry-after header');
      return true;
    },
  );
});

test('an unknown model is NotFoundError', async (t) => {
  const id = requestID(t, 'failure');
  await assert.rejects(openai().chat.completions.create({ model: 'no-such-model', messages: user(`Hi ${id}`) }, withID(id)), (err) => {
    assert.ok(err instanceof OpenAI.NotFoundError, `got ${err?.constructor?.name}: ${err}`);
    assert.equal(err.param, 'model');
    return true;
  });
});

test('no messages is BadRequestError naming the field', async (t) => {
  const id = requestID(t, 'failure');
  await assert.rejects(openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [] }, withID(id)), (err) => {
    assert.ok(err instanceof OpenAI.BadRequestError, `got ${err?.constructor?.name}: ${err}`);
    assert.equal(err.param, 'messages');
    return true;
  });
});

test('a 429 on a stream is RateLimitError before any chunk', async (t) => {
  const id = requestID(t, 'failure');
  await assert.rejects(
    openai().chat.completions.create({ model: 'openai/rate-limited', messages: user(`Hi ${id}`), stream: true }, withID(id)),
    (err) => err instanceof OpenAI.RateLimitError && err.code === 'rate_limit_exceeded',
  );
});

test('an upstream error after the first chunk surfaces as an APIError', async (t) => {
  const id = requestID(t, 'failure');
  const stream = await openai().chat.completions.create(
    { model: 'openai/stream-error', messages: user(`Hi ${id}`), stream: true },
    withID(id),
  );
  let text = '';
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) for (const c of chunk.choices) text += c.delta.content ?? '';
    })(),
    (err) => {
      assert.ok(err instanceof OpenAI.APIError, `got ${err?.constructor?.name}: ${err}`);
      assert.match(err.message, /The server had an error while processing your request/);
      return true;
    },
  );
  assert.equal(text, 'Hello');
});

test('an aborted stream leaves the gateway healthy', async (t) => {
  const id = requestID(t, 'failure');
  const ac = new AbortController();
  const stream = await openai().chat.completions.create(
    { model: 'openai/slow-stream', messages: user(`Hi, abort me ${id}`), stream: true },
    withID(id, { signal: ac.signal }),
  );
  let chunks = 0;
  try {
    for await (const _ of stream) {
      chunks++;
      ac.abort();
    }
  } catch (err) {
    assert.ok(err instanceof OpenAI.APIUserAbortError || err.name === 'AbortError', `got ${err}`);
  }
  // The fake sends two chunks before it stalls; the SDK may have read both before the abort.
  assert.ok(chunks >= 1 && chunks <= 2, `${chunks} chunks`);
  const ready = await fetch(`${gatewayURL}/health/readiness`);
  assert.equal(ready.status, 200);
  const id2 = requestID(t, 'success');
  const r = await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: user(`Still there? ${id2}`) }, withID(id2));
  assert.equal(r.choices[0].message.content, chatFixture.choices[0].message.content);
});
