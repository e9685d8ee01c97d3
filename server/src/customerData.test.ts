import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { personalPathsOf, uncoveredCollections } from '../test/customerDataCoverage';
import { createApp } from './platform/app';
import { CUSTOMER_DATA } from './modules';

void createApp; // loads every model the server defines (modules, platform, the WeChat simulator)

/** Collections with customer data that no module owns, and why. */
const NOT_OURS: Record<string, string> = {
  sim_followers: "the WeChat platform's own follower list, played by the built-in simulator",
  sim_messages: 'messages the platform was asked to deliver, kept by the built-in simulator',
};

const allModels = () => mongoose.modelNames().map((name) => mongoose.model(name));

describe('every collection with customer data takes part in erasure, merge and export', () => {
  it('finds the customer references and personal paths in the schemas', () => {
    const byCollection = Object.fromEntries(allModels().map((m) => [m.collection.collectionName, personalPathsOf(m.schema)]));
    expect(byCollection.coupons).toEqual(expect.arrayContaining(['customerId', 'claimantId', 'receivedFrom']));
    expect(byCollection.tickets).toEqual(expect.arrayContaining(['customerId', 'orderRef', 'description', 'contact.phone']));
    expect(byCollection.ticket_photos).toEqual(['data']);
    expect(byCollection.members).toEqual(expect.arrayContaining(['customerId', 'phone']));
    expect(byCollection.stores).toEqual([]);
    expect(byCollection.sim_followers).toEqual(['unionid']);
  });

  it('has no collection that a module forgot', () => {
    const claimed = CUSTOMER_DATA.flatMap((part) => part.collections);
    const { uncovered, unknownClaims } = uncoveredCollections(allModels(), claimed, NOT_OURS);
    expect(uncovered).toEqual([]);
    expect(unknownClaims).toEqual([]);
    // A collection is claimed by one module only.
    expect(new Set(claimed).size).toBe(claimed.length);
  });

  it('would catch a forgotten collection, a forgotten personal path and a misspelt claim', () => {
    const fixtures = new mongoose.Mongoose();
    const Loyalty = fixtures.model(
      'Loyalty',
      new fixtures.Schema({ customerId: fixtures.Schema.Types.ObjectId, stamps: Number }),
      'loyalty_cards',
    );
    const Survey = fixtures.model('Survey', new fixtures.Schema({ answers: { email: { type: String, personal: true } } }), 'surveys');
    const Nested = fixtures.model(
      'Nested',
      new fixtures.Schema({ lines: [new fixtures.Schema({ receivedFrom: fixtures.Schema.Types.ObjectId })] }),
      'nested_lines',
    );
    const Plain = fixtures.model('Plain', new fixtures.Schema({ name: String }), 'plain_things');
    const claimed = [...CUSTOMER_DATA.flatMap((part) => part.collections), 'loyalty_card'];
    const { uncovered, unknownClaims } = uncoveredCollections([...allModels(), Loyalty, Survey, Nested, Plain], claimed, NOT_OURS);
    expect(uncovered).toEqual([
      { collection: 'loyalty_cards', paths: ['customerId'] },
      { collection: 'surveys', paths: ['answers.email'] },
      { collection: 'nested_lines', paths: ['lines.receivedFrom'] },
    ]);
    expect(unknownClaims).toEqual(['loyalty_card']);
  });
});
