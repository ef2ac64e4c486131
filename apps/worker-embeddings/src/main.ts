import { workerMain } from '@gateway/platform';

/** The embeddings worker app: runs the queues of every embeddings deployment. */
workerMain('embeddings');
