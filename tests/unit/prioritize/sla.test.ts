import { describe, expect, it } from 'vitest';
import { loadPolicy, type Policy } from '../../../src/prioritize/policy.ts';
import { slaDueDate, slaState } from '../../../src/prioritize/sla.ts';

const policy = loadPolicy();
const openedAt = new Date('2025-03-01T10:30:00Z');

describe('slaDueDate', () => {
  it.each([
    ['Act', '2025-03-08T10:30:00.000Z'],
    ['Attend', '2025-03-15T10:30:00.000Z'],
    ['Track*', '2025-03-31T10:30:00.000Z'],
    ['Track', '2025-05-30T10:30:00.000Z'],
  ] as const)('%s is due %s (calendar days from opening)', (decision, due) => {
    expect(slaDueDate(decision, openedAt, policy).toISOString()).toBe(due);
  });

  it('follows the policy, not built-in numbers', () => {
    const strict: Pick<Policy, 'sla'> = { sla: { ...policy.sla, days: { ...policy.sla.days, Act: 2 } } };
    expect(slaDueDate('Act', openedAt, strict).toISOString()).toBe('2025-03-03T10:30:00.000Z');
  });

  it('does not change the date it was given', () => {
    const opened = new Date(openedAt);
    slaDueDate('Act', opened, policy);
    expect(opened.getTime()).toBe(openedAt.getTime());
  });
});

describe('slaState', () => {
  const due = new Date('2025-03-08T10:30:00Z');
  const at = (iso: string) => slaState(due, new Date(iso), policy);

  it('is ok more than dueSoonDays (3) before the due date', () => {
    expect(at('2025-03-01T10:30:00Z')).toBe('ok');
    expect(at('2025-03-05T10:29:59.999Z')).toBe('ok');
  });

  it('is due_soon from dueSoonDays before until the due instant, inclusive', () => {
    expect(at('2025-03-05T10:30:00Z')).toBe('due_soon');
    expect(at('2025-03-08T10:30:00Z')).toBe('due_soon');
  });

  it('is breached once the due instant has passed', () => {
    expect(at('2025-03-08T10:30:00.001Z')).toBe('breached');
    expect(at('2025-06-01T00:00:00Z')).toBe('breached');
  });

  it('with dueSoonDays 0 goes straight from ok to breached', () => {
    const none: Pick<Policy, 'sla'> = { sla: { ...policy.sla, dueSoonDays: 0 } };
    expect(slaState(due, new Date('2025-03-08T10:29:59Z'), none)).toBe('ok');
    expect(slaState(due, new Date('2025-03-08T10:31:00Z'), none)).toBe('breached');
  });
});
