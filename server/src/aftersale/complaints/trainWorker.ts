// Trains a complaint model off the main thread: workerData.labels in, the stored model out.
import { parentPort, workerData } from 'node:worker_threads';
import { toStored } from './classifier';
import { trainModel, type StaffLabel } from './training';

const { labels } = workerData as { labels: StaffLabel[] };
parentPort!.postMessage(toStored(trainModel(labels)));
