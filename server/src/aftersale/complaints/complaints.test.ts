import { describe, expect, it } from 'vitest';
import { fromStored, pickThreshold, toStored, train, type ScoredExample } from './classifier';
import { bucketOf, corpus, parseCorpus, TEST_BUCKETS } from './corpus';
import { readMessage, stem } from './features';
import { scoreWith } from './scorer';
import { segment } from './segment';
import { baseModel, baseModelSource, trainingExamples, trainModel } from './training';
import shipped from './corpus/base-model.json' with { type: 'json' };

describe('the labelled corpus and its split', () => {
  const { train: trainSet, test } = corpus();

  it('holds at least 600 messages of every level, Chinese and English, with no text twice', () => {
    const all = [...trainSet, ...test];
    expect(all.length).toBeGreaterThanOrEqual(600);
    for (const level of ['none', 'mild', 'strong'] as const) expect(all.filter((m) => m.label === level).length).toBeGreaterThan(100);
    expect(all.filter((m) => !/[\u3400-\u9fff]/.test(m.text)).length).toBeGreaterThan(100);
    expect(new Set(all.map((m) => m.text)).size).toBe(all.length);
  });

  it('splits by a hash of the text: disjoint, about a quarter held out, the same every time', () => {
    const trainTexts = new Set(trainSet.map((m) => m.text));
    expect(test.some((m) => trainTexts.has(m.text))).toBe(false);
    expect(test.every((m) => bucketOf(m.text) < TEST_BUCKETS)).toBe(true);
    expect(test.length / (test.length + trainSet.length)).toBeGreaterThan(0.18);
    expect(test.length / (test.length + trainSet.length)).toBeLessThan(0.32);
    expect(bucketOf(test[0]!.text)).toBe(bucketOf(test[0]!.text));
  });

  it('never trains on the held-out split, even through staff labels', () => {
    const testTexts = new Set(test.map((m) => m.text));
    expect(trainingExamples([]).some((e) => testTexts.has(e.text))).toBe(false);
  });

  it('rejects a malformed line', () => {
    expect(() => parseCorpus('X|what')).toThrow(/line 1/);
    expect(parseCorpus('# note\nS|滚\nN|hi')).toEqual([
      { text: '滚', label: 'strong' },
      { text: 'hi', label: 'none' },
    ]);
  });
});

describe('stage one: segmentation, lexicon and patterns', () => {
  it('cuts Chinese into words with the lexicon terms whole', () => {
    expect(segment('吃完上吐下泻，这是安全隐患')).toEqual(expect.arrayContaining(['上吐下泻', '安全隐患']));
  });

  it('stems inflected English', () => {
    expect(new Set(['refunds', 'refunded', 'refunding', 'refund'].map(stem))).toEqual(new Set(['refund']));
    expect(stem('complained')).toBe(stem('complains'));
  });

  it('tells asking about a complaint from making one', () => {
    const asking = readMessage('How do I complain about a store?').features;
    const making = readMessage("I'm going to complain to the regulator about this!").features;
    expect(asking.get('c:q_escalate')).toBeGreaterThan(0);
    expect(making.get('c:q_escalate')).toBeUndefined();
    expect(making.get('c:intent_escalate')).toBeGreaterThan(0);
    expect(readMessage('我想问一下投诉流程是什么').features.get('c:q_escalate')).toBeGreaterThan(0);
  });

  it('marks negated words, threats, deadlines and shouting', () => {
    expect(readMessage('东西没坏，就是想换个颜色').features.get('c:neg_damage')).toBeGreaterThan(0);
    const angry = readMessage('明天中午之前不退钱，我就找记者曝光你们！！');
    expect(angry.features.get('p:threat')).toBe(1);
    expect(angry.features.get('p:deadline')).toBe(1);
    expect(angry.cues).toEqual(expect.arrayContaining(['记者', '曝光', 'threat', 'deadline', '!!']));
    expect(readMessage('I WANT MY MONEY BACK').cues).toContain('CAPS');
  });
});

describe('the strong threshold from cross-validated scores', () => {
  // Strong messages score high, others low, with an overlap (a fixed pseudo-random draw).
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const scored: ScoredExample[] = [
    ...Array.from({ length: 120 }, () => ({ p: 0.45 + random() * 0.54, strong: true })),
    ...Array.from({ length: 200 }, () => ({ p: random() * 0.55, strong: false })),
  ];
  const figuresAt = (t: number) => {
    const flagged = scored.filter((s) => s.p >= t);
    const tp = flagged.filter((s) => s.strong).length;
    return { precision: tp / flagged.length, recall: tp / 120 };
  };
  const grid = Array.from({ length: 76 }, (_, i) => (20 + i) / 100);
  const targets = { targetPrecision: 0.9, targetRecall: 0.85 };

  it('balanced: clears both targets by the widest margin any threshold gives', () => {
    const chosen = pickThreshold(scored, { ...targets, thresholdRule: 'balanced' });
    expect(chosen).toMatchObject(figuresAt(chosen.threshold));
    expect(chosen.precision).toBeGreaterThanOrEqual(0.9);
    expect(chosen.recall).toBeGreaterThanOrEqual(0.85);
    const margin = (f: { precision: number; recall: number }) => Math.min(f.precision - 0.9, f.recall - 0.85);
    for (const t of grid) expect(margin(figuresAt(t))).toBeLessThanOrEqual(margin(chosen) + 1e-9);
  });

  it('recall: the most recall at the target precision', () => {
    const chosen = pickThreshold(scored, { ...targets, thresholdRule: 'recall' });
    expect(chosen.precision).toBeGreaterThanOrEqual(0.9);
    for (const t of grid.filter((t) => t <= 0.9 && figuresAt(t).precision >= 0.9))
      expect(figuresAt(t).recall).toBeLessThanOrEqual(chosen.recall);
    // Balanced with room on recall spends it on precision: a higher threshold.
    const roomy = pickThreshold(scored, { ...targets, targetRecall: 0.7, thresholdRule: 'balanced' });
    expect(roomy.threshold).toBeGreaterThan(chosen.threshold);
    expect(roomy.precision).toBeGreaterThan(chosen.precision);
  });
});

describe('stage two: the learned model', () => {
  const model = baseModel();

  it('escalates anger however it is worded, and leaves questions and praise alone', () => {
    for (const text of [
      '别再敷衍我了，明天之前不退钱我就找记者',
      '取暖器用了半小时插座就烧黑了，家里有老人孩子，太危险了，马上派人来',
      "I'm going to complain to the regulator about this, it's the third time!",
    ]) {
      expect(scoreWith(model, text).level, text).toBe('strong');
    }
    for (const text of ['我想问一下投诉流程是什么', 'How do I complain about a store?', '还不错，谢谢']) {
      expect(scoreWith(model, text).level, text).toBe('none');
    }
  });

  it('ships the built-in model trained from the current corpus and features (npm run complaints:base)', () => {
    expect(shipped.source, 'corpus/base-model.json is stale: run npm run complaints:base').toBe(baseModelSource());
    expect(trainModel([]).version).toBe(shipped.version);
    expect(model.version).toBe(shipped.version);
  }, 120_000);

  it('records the model version on every score', () => {
    expect(scoreWith(model, '你好').modelVersion).toBe(model.version);
    expect(model.version).toMatch(/^cm-[0-9a-f]{12}$/);
  });

  it('is deterministic and survives storage', () => {
    const examples = trainingExamples([]).slice(0, 150);
    const a = train(examples, { folds: 3, epochs: 60 });
    const b = train(examples, { folds: 3, epochs: 60 });
    expect(b.version).toBe(a.version);
    const restored = fromStored(JSON.parse(JSON.stringify(toStored(a))));
    expect(restored.version).toBe(a.version);
    const text = '收到就是坏的，客服也不回';
    expect(restored.probabilities(readMessage(text).features)).toEqual(a.probabilities(readMessage(text).features));
  });

  it('a staff label changes the next model: its version, and the labelled message moves towards the label', () => {
    const missed = '拿到手的杯子有个缺口，嘴唇被划了一下';
    const before = scoreWith(model, missed);
    const after = trainModel([{ text: missed, complaint: true }]);
    expect(after.version).not.toBe(model.version);
    expect(scoreWith(after, missed).complaintScore).toBeGreaterThan(before.complaintScore);

    const falseAlarm = '骗子电话冒充你们要我转账，幸好我没上当，提醒一下大家';
    const cleared = trainModel([{ text: falseAlarm, complaint: false }]);
    expect(scoreWith(cleared, falseAlarm).complaintScore).toBeLessThan(scoreWith(model, falseAlarm).complaintScore);
  }, 120_000);
});
