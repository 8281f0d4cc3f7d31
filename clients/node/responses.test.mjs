// openai-node against the gateway's Responses API (POST /v1/responses). The fake upstream answers
// /v1/responses and chat completions with the same text and usage, so these hold whichever the gateway calls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openai, requestID, withID } from './helpers.mjs';

const text = 'Hello! How can I assist you today?';

function checkUsage(usage) {
  assert.equal(usage?.input_tokens, 19);
  assert.equal(usage?.output_tokens, 10);
  assert.equal(usage?.total_tokens, 29);
}

describe('responses', () => {
  test('responses.create', async (t) => {
    const id = requestID(t, 'success');
    const r = await openai().responses.create({ model: 'gpt-4o-mini', input: `Hi ${id}` }, withID(id));
    assert.equal(r.object, 'response');
    assert.equal(r.status, 'completed');
    assert.equal(r.output_text, text);
    assert.equal(r.output[0].type, 'message');
    assert.equal(r.output[0].role, 'assistant');
    checkUsage(r.usage);
  });

  test('responses.create with stream: true', async (t) => {
    const id = requestID(t, 'success');
    const stream = await openai().responses.create({ model: 'gpt-4o-mini', input: `Hi, stream ${id}`, stream: true }, withID(id));
    const types = [];
    let deltas = '';
    let final;
    let seq = -1;
    for await (const ev of stream) {
      types.push(ev.type);
      assert.ok(ev.sequence_number > seq, `sequence_number ${ev.sequence_number} after ${seq}`);
      seq = ev.sequence_number;
      if (ev.type === 'response.output_text.delta') deltas += ev.delta;
      if (ev.type === 'response.completed') final = ev.response;
    }
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(deltas, text);
    assert.equal(final.status, 'completed');
    checkUsage(final.usage);
  });

  test('responses.stream() and finalResponse()', async (t) => {
    const id = requestID(t, 'success');
    const stream = openai().responses.stream({ model: 'gpt-4o-mini', input: `Hi, helper ${id}` }, withID(id));
    let deltas = '';
    stream.on('response.output_text.delta', (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    assert.equal(deltas, text);
    assert.equal(final.output_text, text);
    checkUsage(final.usage);
  });
});
