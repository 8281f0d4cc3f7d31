// @anthropic-ai/sdk against the gateway's Messages API (POST /v1/messages).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { anthropic, fixtureJSON, requestID, withID } from './helpers.mjs';

const message = fixtureJSON('anthropic-message.json');
const text = 'Hello! How can I help you today?';
const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const params = (model, content, extra = {}) => ({
  model,
  max_tokens: 1024,
  messages: [{ role: 'user', content }],
  ...extra,
});

function checkToolUse(m) {
  assert.equal(m.stop_reason, 'tool_use');
  assert.equal(m.content.length, 2);
  assert.equal(m.content[0].type, 'text');
  assert.equal(m.content[1].type, 'tool_use');
  assert.equal(m.content[1].id, 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');
  assert.equal(m.content[1].name, 'get_weather');
  assert.deepEqual(m.content[1].input, { location: 'Boston, MA' });
}

describe('messages', () => {
  test('messages.create', async (t) => {
    const id = requestID(t, 'success');
    const m = await anthropic().messages.create(params('claude-sonnet-4-6', `Hi ${id}`), withID(id));
    assert.equal(m.id, message.id);
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.deepEqual(m.content, message.content);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.input_tokens, 12);
    assert.equal(m.usage.output_tokens, 12);
  });

  test('messages.create with stream: true', async (t) => {
    const id = requestID(t, 'success');
    const stream = await anthropic().messages.create(params('claude-sonnet-4-6', `Hi, stream ${id}`, { stream: true }), withID(id));
    const types = [];
    let deltas = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') deltas += ev.delta.text;
    }
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.equal(deltas, text);
  });

  test('messages.stream() and finalMessage()', async (t) => {
    const id = requestID(t, 'success');
    const stream = anthropic().messages.stream(params('claude-sonnet-4-6', `Hi, helper ${id}`), withID(id));
    let deltas = '';
    stream.on('text', (delta) => {
      deltas += delta;
    });
    const m = await stream.finalMessage();
    assert.equal(deltas, text);
    assert.equal(m.content[0].text, text);
    assert.equal(m.stop_reason, 'end_turn');
    assert.equal(m.usage.output_tokens, 12);
  });

  test('tools: messages.create', async (t) => {
    const id = requestID(t, 'success');
    const m = await anthropic().messages.create(
      params('claude-sonnet-4-6', `Weather in Boston? ${id}`, { tools: [weatherTool] }),
      withID(id),
    );
    checkToolUse(m);
  });

  test('tools: streamed input accumulated by finalMessage()', async (t) => {
    const id = requestID(t, 'success');
    const stream = anthropic().messages.stream(
      params('claude-sonnet-4-6', `Weather in Boston? ${id}`, { tools: [weatherTool] }),
      withID(id),
    );
    let json = '';
    stream.on('inputJson', (partial) => {
      json += partial;
    });
    const m = await stream.finalMessage();
    checkToolUse(m);
    assert.deepEqual(JSON.parse(json), { location: 'Boston, MA' });
  });

  test('a 429 surfaces as RateLimitError', async (t) => {
    const id = requestID(t, 'failure');
    const want = fixtureJSON('anthropic-error-429-rate-limit.json').error;
    await assert.rejects(anthropic().messages.create(params('claude-rate-limited', `Hi ${id}`), withID(id)), (err) => {
      assert.ok(err instanceof Anthropic.RateLimitError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 429);
      assert.equal(err.type, want.type);
      assert.equal(err.apiMessage, want.message);
      return true;
    });
  });
});
