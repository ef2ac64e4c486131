import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findDates } from './local-dates';
import { extract } from './local-extract';
import { findAmounts, parseNumber } from './local-patterns';

const LETTER = `Hi team, my name is Jane Doe from Acme Widgets Ltd. Please send the invoice to
jane.doe@acme.example before 2026-03-15. The total is $1,234.50 and the deposit was EUR 200.
Call me on +1 (555) 123-4567 or visit https://acme.example/orders. Order number: A-1734.
Meeting on March 5th, 2026 at the office. Quantity 12 units. Priority: high. Not urgent.`;

describe('extract', () => {
  it('finds an email, an ISO date and an amount, and nulls a missing required field', () => {
    const { data } = extract({
      text: LETTER,
      schema: {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          dueDate: { type: 'string', format: 'date' },
          total: { type: 'number' },
          vatNumber: { type: 'string' },
        },
        required: ['email', 'dueDate', 'total', 'vatNumber'],
      },
    });
    assert.deepEqual(data, {
      email: 'jane.doe@acme.example',
      dueDate: '2026-03-15',
      total: 1234.5,
      vatNumber: null,
    });
  });

  it('reads names, companies, phones, URLs, labelled values, enums, integers and booleans', () => {
    const { data } = extract({
      text: LETTER,
      schema: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          company: { type: 'string' },
          phone: { type: 'string' },
          fax: { type: 'string' },
          website: { type: 'string', format: 'uri' },
          orderNumber: { type: 'string' },
          meetingDate: { type: 'string', description: 'date of the meeting' },
          quantity: { type: 'integer' },
          priority: { enum: ['low', 'medium', 'high'] },
          isUrgent: { type: 'boolean' },
          deposit: { type: 'number' },
          currency: { type: 'string' },
        },
        required: ['fax'],
      },
    });
    assert.deepEqual(data, {
      name: 'Jane Doe',
      company: 'Acme Widgets Ltd.',
      phone: '+1 (555) 123-4567',
      // One phone number fills one field: the fax is not mentioned, so it stays null.
      fax: null,
      website: 'https://acme.example/orders',
      orderNumber: 'A-1734',
      meetingDate: '2026-03-05',
      quantity: 12,
      priority: 'high',
      isUrgent: false,
      deposit: 200,
      currency: 'USD',
    });
  });

  it('leaves out optional fields it cannot find', () => {
    const { data } = extract({
      text: 'Nothing useful here.',
      schema: { type: 'object', properties: { email: { type: 'string' } } },
    });
    assert.deepEqual(data, {});
  });

  it('accepts a bare field map, arrays of emails and nested objects', () => {
    const { data } = extract({
      text: 'Copy a@x.io and b@y.org. Ship to 10 Main St, total €99,90.',
      schema: {
        emails: { type: 'array', items: { type: 'string', format: 'email' } },
        payment: {
          type: 'object',
          properties: { amount: { type: 'number' }, currency: { type: 'string' } },
        },
      },
    });
    assert.deepEqual(data, {
      emails: ['a@x.io', 'b@y.org'],
      payment: { amount: 99.9, currency: 'EUR' },
    });
  });

  it('always returns every required key, whatever the text', () => {
    const schema = {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        when: { type: 'string', format: 'date' },
        amount: { type: 'number' },
        flag: { type: 'boolean' },
      },
      required: ['email', 'when', 'amount', 'flag'],
    };
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }), (text) => {
        const { data } = extract({ text, schema });
        assert.deepEqual(Object.keys(data).sort(), ['amount', 'email', 'flag', 'when']);
        assert.ok(data.amount === null || typeof data.amount === 'number');
        assert.ok(
          data.when === null ||
            (typeof data.when === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(data.when)),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('patterns', () => {
  it('normalises written and numeric dates to ISO and rejects impossible days', () => {
    const text =
      'Due 5 March 2026, then Apr 1st, 2027, 2026/12/31, 12/25/2026, 25.12.2026 and 31 February 2026.';
    assert.deepEqual(
      findDates(text).map((d) => d.value.date),
      ['2026-03-05', '2027-04-01', '2026-12-31', '2026-12-25', '2026-12-25'],
    );
  });

  it('keeps the time of an ISO timestamp', () => {
    assert.deepEqual(findDates('at 2026-03-05T14:30:00+0100')[0]?.value, {
      date: '2026-03-05',
      time: '14:30:00+01:00',
    });
  });

  it('reads amounts with symbols, codes, words and scales', () => {
    const found = findAmounts('Paid $1,234.56, then 1.234,50 EUR, 20 pounds and USD 2.5m.');
    assert.deepEqual(
      found.map((m) => m.value),
      [
        { amount: 1234.56, currency: 'USD' },
        { amount: 1234.5, currency: 'EUR' },
        { amount: 20, currency: 'GBP' },
        { amount: 2500000, currency: 'USD' },
      ],
    );
  });

  it('parses number formats as their writers meant them', () => {
    assert.equal(parseNumber('1,234'), 1234);
    assert.equal(parseNumber('12,5'), 12.5);
    assert.equal(parseNumber('1.234.567'), 1234567);
    assert.equal(parseNumber('1 234,5'), 1234.5);
  });
});
